//! xclbin UUIDs (no XRT dependency, so the image tools can use it without the `xrt` feature).

/// An xclbin UUID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Uuid(pub [u8; 16]);

impl std::fmt::Display for Uuid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, b) in self.0.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                f.write_str("-")?;
            }
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl std::str::FromStr for Uuid {
    type Err = String;
    fn from_str(s: &str) -> Result<Uuid, String> {
        let hex: String = s.chars().filter(|c| *c != '-').collect();
        if hex.len() != 32 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(format!("{s:?} is not a UUID (32 hex digits, dashes optional)"));
        }
        let mut out = [0u8; 16];
        for (i, o) in out.iter_mut().enumerate() {
            *o = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).map_err(|e| e.to_string())?;
        }
        Ok(Uuid(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_round_trips_and_rejects_garbage() {
        let u: Uuid = "01234567-89ab-cdef-0011-223344556677".parse().unwrap();
        assert_eq!(u.to_string(), "01234567-89ab-cdef-0011-223344556677");
        assert_eq!(u.0[0], 0x01);
        assert!("0123".parse::<Uuid>().is_err());
        assert!("zz234567-89ab-cdef-0011-223344556677".parse::<Uuid>().is_err());
    }
}
