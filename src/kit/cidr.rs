//! CIDR blocks: parsing and checking one as AWS takes it.

/// Parse `addr/len` (IPv4 or IPv6) and refuse host bits after the prefix.
pub fn parse_cidr(s: &str) -> Result<(std::net::IpAddr, u8), String> {
    use std::net::IpAddr;
    let bad = || format!("{s} is not a CIDR block (expected e.g. 203.0.113.0/24 or 2001:db8::/32)");
    let (a, l) = s.split_once('/').ok_or_else(bad)?;
    let addr: IpAddr = a.trim().parse().map_err(|_| bad())?;
    if l.is_empty() || l.len() > 3 || !l.chars().all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    let len: u8 = l.parse().map_err(|_| bad())?;
    let (bits, max) = match addr {
        IpAddr::V4(v4) => (u128::from(u32::from(v4)) << 96, 32u8),
        IpAddr::V6(v6) => (u128::from(v6), 128u8),
    };
    if len > max {
        return Err(format!("{s}: the prefix length is at most {max}"));
    }
    let host_mask = if len == 0 {
        u128::MAX
    } else {
        u128::MAX >> len
    };
    if bits & host_mask != 0 {
        let net = bits & !host_mask;
        let net = match addr {
            IpAddr::V4(_) => IpAddr::from(std::net::Ipv4Addr::from((net >> 96) as u32)),
            IpAddr::V6(_) => IpAddr::from(std::net::Ipv6Addr::from(net)),
        };
        return Err(format!(
            "{s} has host bits set after the prefix: did you mean {net}/{len}?"
        ));
    }
    Ok((addr, len))
}
