//! Plan builders for the `cloudfront` section.
