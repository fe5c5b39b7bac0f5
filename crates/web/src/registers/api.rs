//! The registers' part of the JSON API.
