//! The client's address: the socket's peer, or, when the peer is a reverse proxy the operator
//! named, the address that proxy reports in `X-Forwarded-For`. Anyone else's header is ignored,
//! as a client could write any address there.

use axum::extract::ConnectInfo;
use axum::http::HeaderMap;
use axum::http::request::Parts;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

/// An address or network (`192.0.2.10`, `10.0.0.0/8`, `fd00::/8`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    base: IpAddr,
    prefix: u8,
}

impl Network {
    /// Whether `ip` lies in this network.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.base, canonical(ip)) {
            (IpAddr::V4(b), IpAddr::V4(a)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(b) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(b), IpAddr::V6(a)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(b) & mask == u128::from(a) & mask
            }
            _ => false,
        }
    }
}

/// IPv4 addresses written as IPv6 (`::ffff:192.0.2.1`) compare as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

impl FromStr for Network {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let base = canonical(
            addr.parse::<IpAddr>()
                .map_err(|_| format!("{s}: not an IP address or network"))?,
        );
        let max = if base.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("{s}: the prefix length must be 0 to {max}"))?,
        };
        Ok(Network { base, prefix })
    }
}

impl fmt::Display for Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.base, self.prefix)
    }
}

/// The reverse proxies whose `X-Forwarded-For` is believed, written as a comma-separated list
/// (or, in the settings file, a list of strings).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ProxiesWritten", into = "String")]
pub struct TrustedProxies(Vec<Network>);

/// How the proxies may be written in the settings.
#[derive(Deserialize)]
#[serde(untagged)]
enum ProxiesWritten {
    Joined(String),
    Listed(Vec<String>),
}

impl TryFrom<ProxiesWritten> for TrustedProxies {
    type Error = String;
    fn try_from(w: ProxiesWritten) -> Result<Self, String> {
        match w {
            ProxiesWritten::Joined(s) => TrustedProxies::try_from(s),
            ProxiesWritten::Listed(l) => TrustedProxies::try_from(l.join(",")),
        }
    }
}

impl TrustedProxies {
    /// Whether a peer is one of the proxies.
    pub fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|n| n.contains(ip))
    }

    /// The client's address for a request that came from `peer` with these headers: the nearest
    /// address in `X-Forwarded-For` that is not itself a trusted proxy.
    pub fn client_of(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let mut client = canonical(peer);
        if !self.trusts(client) {
            return client;
        }
        // Each proxy appends the address it was reached from, so the list is read from the right.
        let hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .collect();
        for hop in hops.iter().rev() {
            let Some(ip) = hop_address(hop) else {
                break;
            };
            client = ip;
            if !self.trusts(ip) {
                break;
            }
        }
        client
    }
}

/// An entry of `X-Forwarded-For`: an address, possibly with a port.
fn hop_address(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .map(canonical)
}

impl TryFrom<String> for TrustedProxies {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(Network::from_str)
            .collect::<Result<Vec<_>, _>>()
            .map(TrustedProxies)
    }
}

impl From<TrustedProxies> for String {
    fn from(p: TrustedProxies) -> String {
        p.0.iter()
            .map(Network::to_string)
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// The socket's peer (tests route requests without a socket and name it with `MockConnectInfo`).
fn peer(parts: &Parts) -> Option<IpAddr> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .or_else(|| {
            parts
                .extensions
                .get::<axum::extract::connect_info::MockConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip())
        })
}

/// The client's address, through the trusted proxies.
pub fn client_ip(parts: &Parts, proxies: &TrustedProxies) -> Option<IpAddr> {
    peer(parts).map(|p| proxies.client_of(p, &parts.headers))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or(IpAddr::from([0; 4]))
    }

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(
                "x-forwarded-for",
                HeaderValue::from_str(v).unwrap_or(HeaderValue::from_static("")),
            );
        }
        h
    }

    #[test]
    fn networks_parse_and_contain() {
        let n: Network = "10.1.0.0/16".parse().unwrap_or(Network {
            base: ip("0.0.0.0"),
            prefix: 32,
        });
        assert!(n.contains(ip("10.1.200.3")));
        assert!(n.contains(ip("::ffff:10.1.0.9")));
        assert!(!n.contains(ip("10.2.0.1")));
        assert!(!n.contains(ip("fd00::1")));
        assert!(
            "0.0.0.0/0"
                .parse::<Network>()
                .is_ok_and(|n| n.contains(ip("8.8.8.8")))
        );
        assert!(
            "fd00::/8"
                .parse::<Network>()
                .is_ok_and(|n| n.contains(ip("fd12::1")))
        );
        assert!("10.0.0.0/33".parse::<Network>().is_err());
        assert!("proxy.local".parse::<Network>().is_err());
        let list = TrustedProxies::try_from("127.0.0.1, 10.0.0.0/8".to_string());
        assert_eq!(
            list.map(String::from).as_deref(),
            Ok("127.0.0.1/32,10.0.0.0/8")
        );
        assert!(TrustedProxies::try_from("127.0.0.1,nonsense".to_string()).is_err());
    }

    #[test]
    fn the_header_is_believed_only_from_a_trusted_proxy() {
        let proxies = TrustedProxies::try_from("10.0.0.1,10.0.0.2".to_string()).unwrap_or_default();
        let h = forwarded(&["203.0.113.9"]);
        assert_eq!(
            proxies.client_of(ip("198.51.100.4"), &h),
            ip("198.51.100.4")
        );
        assert_eq!(proxies.client_of(ip("10.0.0.1"), &h), ip("203.0.113.9"));
        assert_eq!(
            TrustedProxies::default().client_of(ip("10.0.0.1"), &h),
            ip("10.0.0.1")
        );
    }

    #[test]
    fn a_forged_entry_left_of_the_real_client_is_never_read() {
        let proxies = TrustedProxies::try_from("10.0.0.1,10.0.0.2".to_string()).unwrap_or_default();
        // The client wrote "1.2.3.4"; the outer proxy appended the client, the inner one the outer.
        let h = forwarded(&["1.2.3.4, 203.0.113.9", "10.0.0.2"]);
        assert_eq!(proxies.client_of(ip("10.0.0.1"), &h), ip("203.0.113.9"));
        let h = forwarded(&["garbage, 203.0.113.9:5123"]);
        assert_eq!(proxies.client_of(ip("10.0.0.1"), &h), ip("203.0.113.9"));
        // Only proxies and then nonsense: the last proxy is as near to the client as is known.
        let h = forwarded(&["garbage, 10.0.0.2"]);
        assert_eq!(proxies.client_of(ip("10.0.0.1"), &h), ip("10.0.0.2"));
        assert_eq!(
            proxies.client_of(ip("10.0.0.1"), &HeaderMap::new()),
            ip("10.0.0.1")
        );
    }
}
