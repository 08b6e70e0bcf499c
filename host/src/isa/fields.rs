//! Field layouts: the one table from which encoding, decoding, the SystemVerilog package and the
//! ISA reference are all derived.

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
}

impl FieldSpec {
    /// The largest value the field can hold.
    pub const fn max(&self) -> u32 {
        mask(self.width)
    }
}

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
/// Every field is listed as `name: word[lsb; width] "doc"`.
macro_rules! payload {
    (
        $(#[$meta:meta])*
        pub struct $name:ident ($words:literal words) {
            $( $field:ident : $word:literal [$lsb:literal ; $width:literal] $doc:literal ),* $(,)?
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
                }, )*
            ];

            /// Append the encoded words to `out`. Fails (naming the field) when a value does not fit.
            pub fn encode_into(&self, out: &mut Vec<u32>) -> Result<(), $crate::isa::EncodeError> {
                let mut w = [0u32; $words];
                $(
                    if self.$field > $crate::isa::fields::mask($width) {
                        return Err($crate::isa::EncodeError::FieldOverflow {
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
            pub fn decode(w: &[u32]) -> Result<Self, $crate::isa::FieldError> {
                debug_assert_eq!(w.len(), $words);
                for (i, word) in w.iter().enumerate() {
                    let bad = word & $crate::isa::fields::reserved_mask(Self::FIELDS, i);
                    if bad != 0 {
                        return Err($crate::isa::FieldError {
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
