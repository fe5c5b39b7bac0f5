//! The TAXII 2.1 server driven by OASIS's own client, `taxii2-client`, with objects made by the
//! `stix2` library: discovery, collections, an envelope added (one object of it invalid) and its
//! status, paging through objects and the manifest with `as_pages`, versions, one object; and
//! every object the server gives back parses in `stix2` and validates in `stix2-validator`.

use crate::support::{Server, api, mamori};
use std::process::Command;

const CLIENT: &str = r#"
import sys, json, uuid, stix2
from stix2validator import validate_instance, ValidationOptions
from taxii2client.v21 import Server, as_pages

url, user, token, cid = sys.argv[1:5]
server = Server(url + "/taxii2/", user=user, password=token)
assert server.title == "mamori", server.title
root = server.default
assert root.url == url + "/taxii2/hub/", root.url
assert "application/taxii+json;version=2.1" in root.versions
col = {c.id: c for c in root.collections}[cid]
assert col.can_read and col.can_write

indicators = [
    stix2.Indicator(
        id="indicator--" + str(uuid.UUID(int=n + 1, version=4)),
        name="C2 %d" % n,
        pattern="[ipv4-addr:value = '203.0.113.%d']" % n,
        pattern_type="stix",
        valid_from="2026-11-01T00:00:00Z",
    )
    for n in range(25)
]
broken = json.loads(indicators[0].serialize())
broken["id"] = "indicator--" + str(uuid.uuid4())
broken["pattern"] = "[ipv4-addr:value = '203.0.113.1'"
envelope = {"objects": [json.loads(i.serialize()) for i in indicators] + [broken]}
status = col.add_objects(json.dumps(envelope))
assert status.status == "complete", status.status
assert (status.total_count, status.success_count, status.failure_count) == (26, 25, 1), status._raw
assert status.failures[0]["id"] == broken["id"]
again = root.get_status(status.id)
assert again.failure_count == 1 and "pattern" in again.failures[0]["message"]

renamed = indicators[0].new_version(name="C2 renamed")
col.add_objects(json.dumps({"objects": [json.loads(renamed.serialize())]}))

objects = []
pages = 0
for page in as_pages(col.get_objects, per_request=10):
    pages += 1
    objects.extend(page.get("objects", []))
assert pages == 3, pages
assert len(objects) == 25, len(objects)
assert len({o["id"] for o in objects}) == 25
manifest = []
for page in as_pages(col.get_manifest, per_request=7):
    manifest.extend(page.get("objects", []))
assert len(manifest) == 25, len(manifest)

versions = col.object_versions(indicators[0].id)["versions"]
assert len(versions) == 2, versions
one = col.get_object(indicators[0].id)["objects"]
assert [o["name"] for o in one] == ["C2 renamed"], one
first = col.get_object(indicators[0].id, version="first")["objects"]
assert [o["name"] for o in first] == ["C2 0"], first

invalid = []
for o in objects:
    parsed = stix2.parse(o, allow_custom=True)
    assert parsed.id == o["id"]
    if not validate_instance(o, ValidationOptions()).is_valid:
        invalid.append(o["id"])
assert not invalid, invalid
# The collection's default marking was added to each object that came without one.
assert all(o["object_marking_refs"] == ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"] for o in objects)
print("taxii2-client: %d objects in %d pages, %d manifest entries, %d versions" % (len(objects), pages, len(manifest), len(versions)))
"#;

#[test]
fn the_oasis_taxii_client_adds_pages_and_reads_versions_manifest_and_status() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = Server::start(dir.path(), &["--demo"]);
    let out = mamori(
        dir.path(),
        &[
            "admin",
            "token",
            "--email",
            "admin@demo.mamori.jp",
            "--name",
            "taxii",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let made = api(
        server.port,
        "POST",
        "/api/v1/sharing/collections",
        &token,
        Some((
            "application/json",
            br#"{"title": "interop", "description": "taxii2-client", "default_tlp": "green"}"#,
        )),
    );
    assert_eq!(made.status, 201, "{}", made.body);
    let collection: serde_json::Value = serde_json::from_str(&made.body).expect("json");
    let python = std::env::var("MAMORI_PYTHON").unwrap_or_else(|_| "python3".into());
    let run = Command::new(&python)
        .arg("-c")
        .arg(CLIENT)
        .args([
            &server.url(""),
            "admin@demo.mamori.jp",
            &token,
            collection["id"].as_str().expect("id"),
        ])
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run {python} ({e}); bash .ci/run installs taxii2-client and sets MAMORI_PYTHON")
        });
    let printed = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "taxii2-client against mamori failed:\n{printed}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    println!("{printed}");
    assert!(printed.contains("25 objects in 3 pages"), "{printed}");
}
