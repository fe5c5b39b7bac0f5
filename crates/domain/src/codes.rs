//! Closed sets of codes that are stored, sent in forms and shown in two languages.

/// Defines a closed set of codes with Japanese and English labels.
macro_rules! coded {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $v:ident = $code:literal, $ja:literal, $en:literal;)+ }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vdoc])* $v,)+ }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$($name::$v,)+];
            /// The stable code used in storage, forms and the API.
            pub fn code(self) -> &'static str {
                match self { $($name::$v => $code,)+ }
            }
            /// The value of a code.
            pub fn from_code(code: &str) -> Option<$name> {
                match code { $($code => Some($name::$v),)+ _ => None }
            }
            /// The label in a language.
            pub fn label(self, lang: $crate::Lang) -> &'static str {
                match self { $($name::$v => lang.pick($ja, $en),)+ }
            }
        }
    };
}
