//! Which addresses webhooks may be sent to: public ones only, so that an endpoint cannot make
//! the server call into its own network (SSRF) — loopback, private, link-local (cloud metadata
//! at 169.254.169.254), shared, multicast and reserved addresses are refused, checked when an
//! endpoint is saved and again at every connection (the name may resolve elsewhere by then).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// How long a name may take to resolve when an endpoint is saved.
const LOOKUP_TIMEOUT: Duration = Duration::from_secs(5);

/// Whether webhooks may go to `ip` (`allow_loopback`: tests and development).
pub fn permitted(ip: IpAddr, allow_loopback: bool) -> bool {
    match ip {
        IpAddr::V4(v4) => permitted_v4(v4, allow_loopback),
        IpAddr::V6(v6) => {
            if let Some(v4) = embedded_v4(v6) {
                return permitted_v4(v4, allow_loopback);
            }
            if v6.is_loopback() {
                return allow_loopback;
            }
            let first = v6.segments()[0];
            !(v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (first & 0xffc0) == 0xfe80 // link-local fe80::/10
                || (first & 0xffc0) == 0xfec0 // site-local fec0::/10 (deprecated)
                || first == 0x2001 && v6.segments()[1] == 0x0db8) // documentation
        }
    }
}

/// The IPv4 address inside an IPv4-mapped (`::ffff:a.b.c.d`), IPv4-compatible or NAT64
/// (`64:ff9b::a.b.c.d`) IPv6 address.
fn embedded_v4(v6: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = v6.segments();
    let tail = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    let mapped = s[..5] == [0; 5] && s[5] == 0xffff;
    let compatible = s[..6] == [0; 6] && !(s[6] == 0 && s[7] <= 1);
    let nat64 = s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0; 4];
    (mapped || compatible || nat64).then_some(tail)
}

fn permitted_v4(ip: Ipv4Addr, allow_loopback: bool) -> bool {
    if ip.is_loopback() {
        return allow_loopback;
    }
    let [a, b, c, _] = ip.octets();
    !(ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0 // "this network"
        || (a == 100 && (64..128).contains(&b)) // shared address space (carrier-grade NAT)
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240) // reserved
}

/// What a refused endpoint URL is told, whatever the reason: an unresolvable name and a private
/// address get the same words, so that the check cannot be used to probe names or networks.
pub const REFUSED: &str = "must be a public web address on port 80, 443 or above 1023: its host \
     must resolve, and only to public addresses (not loopback, private, link-local or reserved)";

/// Whether webhooks may go to `port` of `ip`: the web's (80, 443) and unprivileged ones, never
/// the well-known ports of other services (SSH on 22, SMTP on 25…) — but any port of a loopback
/// address when loopback is allowed at all (tests and development).
pub fn port_permitted(ip: IpAddr, port: u16, allow_loopback: bool) -> bool {
    port == 80 || port == 443 || port > 1023 || (allow_loopback && ip.is_loopback())
}

/// Checks an endpoint's URL as it is saved: its port must be a web one, its host must resolve,
/// and only to permitted addresses. The message is for a 422 on `url`.
pub async fn check_url(url: &str, allow_loopback: bool) -> Result<(), String> {
    let parsed = url::Url::parse(url).map_err(|_| "must be an http:// or https:// address")?;
    let port = parsed.port_or_known_default().unwrap_or(443);
    let addresses: Vec<SocketAddr> = match parsed.host() {
        Some(url::Host::Ipv4(ip)) => vec![SocketAddr::new(IpAddr::V4(ip), port)],
        Some(url::Host::Ipv6(ip)) => vec![SocketAddr::new(IpAddr::V6(ip), port)],
        Some(url::Host::Domain(host)) => {
            match tokio::time::timeout(LOOKUP_TIMEOUT, tokio::net::lookup_host((host, port))).await
            {
                Ok(Ok(found)) => found.collect(),
                _ => Vec::new(),
            }
        }
        None => return Err("must be an http:// or https:// address".into()),
    };
    let refused = |a: &SocketAddr| {
        !permitted(a.ip(), allow_loopback) || !port_permitted(a.ip(), a.port(), allow_loopback)
    };
    if addresses.is_empty() || addresses.iter().any(refused) {
        return Err(REFUSED.into());
    }
    Ok(())
}

/// Whether a URL's host, when it is an IP address, is permitted (names are checked by
/// [`PublicResolver`] as they are resolved).
pub fn literal_permitted(url: &reqwest::Url, allow_loopback: bool) -> bool {
    let port = url.port_or_known_default().unwrap_or(0);
    let ip = match url.host() {
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip),
        // A name's addresses are checked as it resolves; its port is the URL's.
        Some(url::Host::Domain(_)) => {
            return port_permitted(IpAddr::V4(Ipv4Addr::UNSPECIFIED), port, false)
                || (allow_loopback && port > 0)
        }
        None => return false,
    };
    permitted(ip, allow_loopback) && port_permitted(ip, port, allow_loopback)
}

/// The sender's resolver: the system's, keeping only permitted addresses.
pub struct PublicResolver {
    pub allow_loopback: bool,
}

impl Resolve for PublicResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_loopback = self.allow_loopback;
        Box::pin(async move {
            let found = tokio::net::lookup_host((name.as_str(), 0)).await?;
            let permitted: Vec<SocketAddr> = found
                .filter(|a| permitted(a.ip(), allow_loopback))
                .collect();
            if permitted.is_empty() {
                return Err(format!("{} resolves to no public address", name.as_str()).into());
            }
            Ok(Box::new(permitted.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(ip: &str) -> bool {
        permitted(ip.parse().expect("an address"), false)
    }

    #[test]
    fn only_public_addresses_are_permitted() {
        for refused in [
            "127.0.0.1",
            "127.8.9.10",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "255.255.255.255",
            "224.0.0.1",
            "240.0.0.1",
            "::1",
            "::",
            "fd00:ec2::254",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::10.0.0.1",
            "::10.0.0.1",
        ] {
            assert!(!ok(refused), "{refused} is refused");
        }
        for public in [
            "93.184.215.14",
            "8.8.8.8",
            "172.32.0.1",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(ok(public), "{public} is permitted");
        }
    }

    #[test]
    fn ipv6_literals_are_checked_at_every_connection_as_ipv4_ones_are() {
        let literal = |url: &str, allow_loopback| {
            literal_permitted(&url.parse().expect("a URL"), allow_loopback)
        };
        assert!(literal("http://[2606:4700::1111]/h", false));
        assert!(literal("https://[2606:4700::1111]:8443/h", false));
        for refused in [
            "http://[::1]/h",
            "http://[::ffff:127.0.0.1]/h",
            "http://[fe80::1]/h",
            "http://[fc00::1]/h",
            "http://[::]/h",
            "http://[2606:4700::1111]:22/h",
        ] {
            assert!(!literal(refused, false), "{refused} is refused");
        }
        assert!(literal("http://[::1]:8080/h", true));
    }

    #[test]
    fn loopback_is_permitted_only_when_allowed() {
        assert!(permitted("127.0.0.1".parse().expect("v4"), true));
        assert!(permitted("::1".parse().expect("v6"), true));
        assert!(!permitted("10.0.0.1".parse().expect("v4"), true));
    }
}
