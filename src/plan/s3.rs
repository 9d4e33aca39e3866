//! Plan builders for the `s3` section.
