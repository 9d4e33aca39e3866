//! The clients of the other section's services (Inspector, WAF) the tests
//! read the results back with. Inspector is off in a fresh moto, so its
//! item fails without seeding.

#![allow(dead_code)]

pub fn inspector(ep: &str, region: &str) -> aws_sdk_inspector2::Client {
    test_client!(aws_sdk_inspector2, ep, region)
}

pub fn wafv2(ep: &str, region: &str) -> aws_sdk_wafv2::Client {
    test_client!(aws_sdk_wafv2, ep, region)
}
