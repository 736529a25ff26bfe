//! Parser for CTranslate2's `model.bin` (format version 6, as written by
//! `ct2-transformers-converter` for Whisper).
//!
//! Layout (little endian): `u32 version`, `string spec name`, `u32 spec revision`,
//! `u32 variable count`; each variable: `string name`, `u8 rank`, `u32 dims[rank]`,
//! `u8 dtype`, `u32 byte count`, data; then an alias table (`u32 count`, pairs of strings).
//! A string is a `u16` length that counts a trailing NUL, then the bytes.

use std::collections::BTreeMap;
use std::path::Path;

use crate::{ModelError, Result, io_err};

/// Element type of a CTranslate2 variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DType {
    /// 32-bit float (code 0).
    F32,
    /// 8-bit signed integer (code 1).
    I8,
    /// 16-bit signed integer (code 2).
    I16,
    /// 32-bit signed integer (code 3).
    I32,
    /// IEEE half (code 4).
    F16,
    /// bfloat16 (code 5).
    BF16,
}

impl DType {
    fn from_code(code: u8) -> Option<Self> {
        Some(match code {
            0 => Self::F32,
            1 => Self::I8,
            2 => Self::I16,
            3 => Self::I32,
            4 => Self::F16,
            5 => Self::BF16,
            _ => return None,
        })
    }

    /// Size of one element in bytes.
    pub fn size(self) -> usize {
        match self {
            Self::I8 => 1,
            Self::I16 | Self::F16 | Self::BF16 => 2,
            Self::F32 | Self::I32 => 4,
        }
    }
}

/// One named tensor of the model.
#[derive(Debug, Clone)]
pub struct Variable {
    /// Shape, outermost first (numpy order). Empty for scalars.
    pub dims: Vec<usize>,
    /// Element type.
    pub dtype: DType,
    /// Raw little-endian bytes.
    pub data: Vec<u8>,
}

impl Variable {
    /// Number of elements.
    pub fn len(&self) -> usize {
        self.dims.iter().product()
    }

    /// True for a zero-element tensor.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The values as f32 (float types only).
    pub fn to_f32(&self) -> Result<Vec<f32>> {
        let d = &self.data;
        Ok(match self.dtype {
            DType::F32 => d
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
            DType::F16 => d
                .chunks_exact(2)
                .map(|c| half::f16::from_le_bytes([c[0], c[1]]).to_f32())
                .collect(),
            DType::BF16 => d
                .chunks_exact(2)
                .map(|c| half::bf16::from_le_bytes([c[0], c[1]]).to_f32())
                .collect(),
            other => {
                return Err(ModelError::Conversion(format!(
                    "expected a float tensor, found {other:?}"
                )));
            }
        })
    }

    /// The value of an integer scalar.
    pub fn as_int(&self) -> Result<i64> {
        let d = &self.data;
        let bad = || ModelError::Conversion("expected an integer scalar".into());
        Ok(match self.dtype {
            DType::I8 => i64::from(*d.first().ok_or_else(bad)? as i8),
            DType::I16 if d.len() >= 2 => i64::from(i16::from_le_bytes([d[0], d[1]])),
            DType::I32 if d.len() >= 4 => i64::from(i32::from_le_bytes([d[0], d[1], d[2], d[3]])),
            _ => return Err(bad()),
        })
    }
}

/// A parsed `model.bin`.
#[derive(Debug, Clone)]
pub struct Ct2Model {
    /// Format version (6 for current CTranslate2).
    pub version: u32,
    /// Spec name, e.g. `WhisperSpec`.
    pub spec: String,
    /// Spec revision.
    pub revision: u32,
    /// Variables by name.
    pub variables: BTreeMap<String, Variable>,
    /// Aliases: alias name to target variable name.
    pub aliases: BTreeMap<String, String>,
}

impl Ct2Model {
    /// Reads and parses a `model.bin` file.
    pub fn read(path: &Path) -> Result<Self> {
        let bytes = std::fs::read(path).map_err(io_err(path))?;
        Self::parse(&bytes)
    }

    /// Parses the bytes of a `model.bin`.
    pub fn parse(bytes: &[u8]) -> Result<Self> {
        let mut c = Cursor { b: bytes, pos: 0 };
        let version = c.u32()?;
        if !(5..=6).contains(&version) {
            return Err(ModelError::InvalidCt2(format!(
                "unsupported model.bin version {version} (expected 6)"
            )));
        }
        let spec = c.string()?;
        let revision = c.u32()?;
        let count = c.u32()? as usize;
        let mut variables = BTreeMap::new();
        for _ in 0..count {
            let name = c.string()?;
            let rank = c.u8()? as usize;
            let mut dims = Vec::with_capacity(rank);
            for _ in 0..rank {
                dims.push(c.u32()? as usize);
            }
            let code = c.u8()?;
            let dtype = DType::from_code(code).ok_or_else(|| {
                ModelError::InvalidCt2(format!("variable {name}: unknown dtype {code}"))
            })?;
            let nbytes = c.u32()? as usize;
            let elements = dims
                .iter()
                .try_fold(1usize, |a, &d| a.checked_mul(d))
                .ok_or_else(|| {
                    ModelError::InvalidCt2(format!("variable {name}: shape overflow"))
                })?;
            if elements.checked_mul(dtype.size()) != Some(nbytes) {
                return Err(ModelError::InvalidCt2(format!(
                    "variable {name}: {nbytes} bytes for shape {dims:?} of {dtype:?}"
                )));
            }
            let data = c.take(nbytes)?.to_vec();
            variables.insert(name, Variable { dims, dtype, data });
        }
        let mut aliases = BTreeMap::new();
        if c.pos < bytes.len() {
            let n = c.u32()?;
            for _ in 0..n {
                let alias = c.string()?;
                let target = c.string()?;
                aliases.insert(alias, target);
            }
        }
        Ok(Self {
            version,
            spec,
            revision,
            variables,
            aliases,
        })
    }

    /// Looks a variable up by name, following aliases.
    pub fn get(&self, name: &str) -> Result<&Variable> {
        let resolved = self.aliases.get(name).map_or(name, String::as_str);
        self.variables
            .get(resolved)
            .ok_or_else(|| ModelError::Conversion(format!("missing variable {name}")))
    }
}

struct Cursor<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.b.len());
        match end {
            Some(end) => {
                let s = &self.b[self.pos..end];
                self.pos = end;
                Ok(s)
            }
            None => Err(ModelError::InvalidCt2(format!(
                "truncated: needed {n} bytes at offset {}, file has {}",
                self.pos,
                self.b.len()
            ))),
        }
    }
    fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<u16> {
        let s = self.take(2)?;
        Ok(u16::from_le_bytes([s[0], s[1]]))
    }
    fn u32(&mut self) -> Result<u32> {
        let s = self.take(4)?;
        Ok(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    }
    fn string(&mut self) -> Result<String> {
        let n = self.u16()? as usize;
        let s = self.take(n)?;
        let s = s.strip_suffix(&[0]).unwrap_or(s);
        String::from_utf8(s.to_vec())
            .map_err(|_| ModelError::InvalidCt2("string is not UTF-8".into()))
    }
}

/// Builds the bytes of a `model.bin` (used by tests to make small synthetic models).
pub fn write_model_bin(
    spec: &str,
    revision: u32,
    variables: &[(&str, &[usize], DType, &[u8])],
    aliases: &[(&str, &str)],
) -> Vec<u8> {
    fn string(out: &mut Vec<u8>, s: &str) {
        out.extend_from_slice(&((s.len() + 1) as u16).to_le_bytes());
        out.extend_from_slice(s.as_bytes());
        out.push(0);
    }
    let code = |d: DType| match d {
        DType::F32 => 0u8,
        DType::I8 => 1,
        DType::I16 => 2,
        DType::I32 => 3,
        DType::F16 => 4,
        DType::BF16 => 5,
    };
    let mut out = Vec::new();
    out.extend_from_slice(&6u32.to_le_bytes());
    string(&mut out, spec);
    out.extend_from_slice(&revision.to_le_bytes());
    out.extend_from_slice(&(variables.len() as u32).to_le_bytes());
    for (name, dims, dtype, data) in variables {
        string(&mut out, name);
        out.push(dims.len() as u8);
        for d in *dims {
            out.extend_from_slice(&(*d as u32).to_le_bytes());
        }
        out.push(code(*dtype));
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(data);
    }
    out.extend_from_slice(&(aliases.len() as u32).to_le_bytes());
    for (a, t) in aliases {
        string(&mut out, a);
        string(&mut out, t);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f16s(v: &[f32]) -> Vec<u8> {
        v.iter()
            .flat_map(|x| half::f16::from_f32(*x).to_le_bytes())
            .collect()
    }

    #[test]
    fn parses_synthetic_model() {
        let w = f16s(&[1.0, -2.0, 0.5, 3.0, 0.0, 0.25]);
        let f: Vec<u8> = [1.5f32, -1.0]
            .iter()
            .flat_map(|x| x.to_le_bytes())
            .collect();
        let bytes = write_model_bin(
            "WhisperSpec",
            3,
            &[
                ("a/weight", &[2, 3], DType::F16, &w),
                ("a/bias", &[2], DType::F32, &f),
                ("enc/num_heads", &[], DType::I16, &6i16.to_le_bytes()),
                ("flag", &[], DType::I8, &[1]),
            ],
            &[("b/weight", "a/weight")],
        );
        let m = Ct2Model::parse(&bytes).unwrap();
        assert_eq!(
            (m.version, m.spec.as_str(), m.revision),
            (6, "WhisperSpec", 3)
        );
        assert_eq!(m.variables.len(), 4);
        let a = m.get("a/weight").unwrap();
        assert_eq!(a.dims, [2, 3]);
        assert_eq!(a.to_f32().unwrap(), [1.0, -2.0, 0.5, 3.0, 0.0, 0.25]);
        assert_eq!(m.get("a/bias").unwrap().to_f32().unwrap(), [1.5, -1.0]);
        assert_eq!(m.get("enc/num_heads").unwrap().as_int().unwrap(), 6);
        assert_eq!(m.get("flag").unwrap().as_int().unwrap(), 1);
        assert_eq!(m.get("b/weight").unwrap().dims, [2, 3], "alias resolves");
        assert!(m.get("missing").is_err());
        assert!(m.get("a/weight").unwrap().as_int().is_err());

        // Every truncation is an error, never a panic.
        for cut in [0, 3, 10, bytes.len() / 2, bytes.len() - 1] {
            assert!(Ct2Model::parse(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        // A byte count that disagrees with the shape is rejected.
        let bad = write_model_bin("WhisperSpec", 3, &[("x", &[4], DType::F16, &[0u8; 6])], &[]);
        assert!(
            Ct2Model::parse(&bad)
                .unwrap_err()
                .to_string()
                .contains("bytes for shape")
        );
        // Unknown dtype code.
        let mut bad = write_model_bin("WhisperSpec", 3, &[("x", &[1], DType::I8, &[0u8])], &[]);
        let pos = bad.len() - 4 /*aliases*/ - 1 /*data*/ - 4 /*nbytes*/ - 1 /*dtype*/;
        bad[pos] = 42;
        assert!(
            Ct2Model::parse(&bad)
                .unwrap_err()
                .to_string()
                .contains("unknown dtype")
        );
        // Wrong version.
        let mut bad = bytes.clone();
        bad[0] = 99;
        assert!(Ct2Model::parse(&bad).is_err());
    }
}
