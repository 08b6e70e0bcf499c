//! Field layouts: the one table from which encoding, decoding, the SystemVerilog package and the
//! ISA reference are all derived.

/// A field-level problem inside one payload (the caller adds packet/mOP position).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub word: usize,
    pub message: String,
}

/// Errors while building words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    #[error("{payload}.{field} = {value} does not fit in {width} bits")]
    FieldOverflow { payload: &'static str, field: &'static str, value: u64, width: u32 },
    #[error("packet {packet}: {message}")]
    Packet { packet: usize, message: String },
}

/// One bit field of an instruction word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    /// Field name as it appears in Rust, SystemVerilog and the docs.
    pub name: &'static str,
    /// Word index inside the payload (0-based).
    pub word: usize,
    /// Least significant bit inside the word.
    pub lsb: u32,
    /// Width in bits (1..=32).
    pub width: u32,
    /// What the unit does with the field.
    pub doc: &'static str,
    /// The values an FU accepts, when narrower than the field's bits.
    pub range: Option<FieldRange>,
}

/// The accepted values of a field: `lo..=hi[instance]` (one `hi` for every instance, or one per
/// instance), checked only while another field of the payload has a given value (`when`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldRange {
    pub lo: u32,
    pub hi: &'static [u32],
    pub when: Option<(&'static str, u32)>,
}

impl FieldRange {
    /// The upper bound for FU instance `inst`.
    pub fn hi(&self, inst: u32) -> u32 {
        self.hi.get(inst as usize).or(self.hi.last()).copied().unwrap_or(self.lo)
    }
}

impl FieldSpec {
    /// The largest value the field can hold.
    pub const fn max(&self) -> u32 {
        mask(self.width)
    }

    /// The doc with the accepted range spelled out; `unit` names the FU kind ("MemB" for MemB2).
    pub fn described(&self, unit: &str) -> String {
        let Some(r) = &self.range else { return self.doc.to_string() };
        let mut hi = format!("{}", r.hi(0));
        for (i, h) in r.hi.iter().enumerate().skip(1) {
            if *h != r.hi(0) {
                hi.push_str(&format!(", {unit}{i}: {h}"));
            }
        }
        let when = r.when.map(|(f, v)| format!(" when `{f}` = {v}")).unwrap_or_default();
        format!("{} ({}..={hi}{when})", self.doc, r.lo)
    }
}

/// Check one field of a payload against its table entry: `get` reads a field by name. `Ok` when the
/// field has no range or its condition does not hold.
pub fn check_range(
    fields: &[FieldSpec],
    name: &'static str,
    inst: u32,
    get: impl Fn(&str) -> Option<u32>,
) -> Result<(), (&'static str, String)> {
    let Some(f) = fields.iter().find(|f| f.name == name) else {
        return Err((name, "no such field in this payload (internal error)".into()));
    };
    let Some(r) = &f.range else { return Ok(()) };
    if let Some((c, v)) = r.when {
        if get(c) != Some(v) {
            return Ok(());
        }
    }
    let value = get(name).unwrap_or(0);
    let (lo, hi) = (r.lo, r.hi(inst));
    if value < lo || value > hi {
        return Err((name, format!("{value} is outside {lo}..={hi}")));
    }
    Ok(())
}

/// A field's range from the `payload!` syntax `in LO..=[HI, ...] if FIELD = V`.
macro_rules! field_range {
    () => {
        None
    };
    ($lo:literal, [$($hi:expr),+]) => {
        Some($crate::isa::fields::FieldRange { lo: $lo, hi: &[$($hi),+], when: None })
    };
    ($lo:literal, [$($hi:expr),+], $c:ident = $cv:literal) => {
        Some($crate::isa::fields::FieldRange { lo: $lo, hi: &[$($hi),+], when: Some((stringify!($c), $cv)) })
    };
}
pub(crate) use field_range;

/// A mask of `width` low bits.
pub const fn mask(width: u32) -> u32 {
    if width >= 32 {
        u32::MAX
    } else {
        (1u32 << width) - 1
    }
}

/// Bits of word `w` that no field of `fields` covers (they must be zero).
pub fn reserved_mask(fields: &[FieldSpec], w: usize) -> u32 {
    let used = fields.iter().filter(|f| f.word == w).fold(0u32, |acc, f| acc | (mask(f.width) << f.lsb));
    !used
}

/// Declares a payload struct whose fields are all `u32`, with its field table, encoder and decoder.
/// Every field is listed as `name: word[lsb; width] "doc"`, optionally followed by the values the
/// FU accepts: `in LO..=[HI]` (or one HI per instance), `if OTHER = V` when only checked while
/// field OTHER has value V. The validator, the docs and the SV package read these ranges.
macro_rules! payload {
    (
        $(#[$meta:meta])*
        pub struct $name:ident ($words:literal words) {
            $( $field:ident : $word:literal [$lsb:literal ; $width:literal] $doc:literal
               $( in $lo:literal ..= [ $($hi:expr),+ ] $( if $c:ident = $cv:literal )? )? ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
        pub struct $name {
            $( #[doc = $doc] pub $field: u32, )*
        }

        impl $name {
            /// Payload length in 32-bit words.
            pub const WORDS: usize = $words;
            /// The field table (single source of truth for all generated artefacts).
            pub const FIELDS: &'static [$crate::isa::fields::FieldSpec] = &[
                $( $crate::isa::fields::FieldSpec {
                    name: stringify!($field), word: $word, lsb: $lsb, width: $width, doc: $doc,
                    range: $crate::isa::fields::field_range!($( $lo, [$($hi),+] $(, $c = $cv)? )?),
                }, )*
            ];

            /// A field's value by name.
            pub fn get(&self, name: &str) -> Option<u32> {
                match name {
                    $( stringify!($field) => Some(self.$field), )*
                    _ => None,
                }
            }

            /// Check field `name` against its declared range (see [`$crate::isa::fields::check_range`]).
            pub fn check_field(&self, name: &'static str, inst: u32) -> Result<(), (&'static str, String)> {
                $crate::isa::fields::check_range(Self::FIELDS, name, inst, |n| self.get(n))
            }

            /// Append the encoded words to `out`. Fails (naming the field) when a value does not fit.
            pub fn encode_into(&self, out: &mut Vec<u32>) -> Result<(), $crate::isa::fields::EncodeError> {
                let mut w = [0u32; $words];
                $(
                    if self.$field > $crate::isa::fields::mask($width) {
                        return Err($crate::isa::fields::EncodeError::FieldOverflow {
                            payload: stringify!($name),
                            field: stringify!($field),
                            value: self.$field as u64,
                            width: $width,
                        });
                    }
                    w[$word] |= self.$field << $lsb;
                )*
                out.extend_from_slice(&w);
                Ok(())
            }

            /// Decode from exactly `WORDS` words. Reserved bits must be zero.
            pub fn decode(w: &[u32]) -> Result<Self, $crate::isa::fields::FieldError> {
                debug_assert_eq!(w.len(), $words);
                for (i, word) in w.iter().enumerate() {
                    let bad = word & $crate::isa::fields::reserved_mask(Self::FIELDS, i);
                    if bad != 0 {
                        return Err($crate::isa::fields::FieldError {
                            field: "reserved",
                            word: i,
                            message: format!("reserved bits {bad:#010x} of word {i} are set"),
                        });
                    }
                }
                Ok(Self { $( $field: (w[$word] >> $lsb) & $crate::isa::fields::mask($width), )* })
            }

            /// `(name, value)` for every field, in table order (for the disassembler).
            pub fn named_values(&self) -> Vec<(&'static str, u32)> {
                vec![ $( (stringify!($field), self.$field), )* ]
            }
        }
    };
}

pub(crate) use payload;
