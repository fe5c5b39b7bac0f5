//! Incident response's part of the JSON API.
