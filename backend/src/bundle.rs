//! Precompresses the built console for serving and reports its size: the
//! number the 150 KB brotli budget is checked against.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

use serde::Serialize;

/// Files worth compressing; `.br`/`.gz` siblings are served when the browser
/// accepts them.
const COMPRESSIBLE: [&str; 4] = ["wasm", "js", "css", "html"];

#[derive(Clone, Debug, Serialize)]
pub struct AssetSize {
    pub name: String,
    pub raw: u64,
    pub gzip: u64,
    pub brotli: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct BundleReport {
    pub assets: Vec<AssetSize>,
    /// wasm + js, the code the browser must download before anything shows.
    pub code: Totals,
    /// Everything shipped.
    pub all: Totals,
}

#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct Totals {
    pub raw: u64,
    pub gzip: u64,
    pub brotli: u64,
}

impl Totals {
    fn add(&mut self, asset: &AssetSize) {
        self.raw += asset.raw;
        self.gzip += asset.gzip;
        self.brotli += asset.brotli;
    }
}

fn extension(name: &str) -> Option<&str> {
    name.rsplit_once('.').map(|(_, ext)| ext)
}

/// Writes `NAME.gz` (gzip -9) and `NAME.br` (brotli quality 11) next to every
/// compressible file in `dist`, then measures.
pub fn precompress(dist: &Path) -> io::Result<BundleReport> {
    for name in compressible_files(dist)? {
        let raw = fs::read(dist.join(&name))?;
        fs::write(dist.join(format!("{name}.gz")), gzip(&raw)?)?;
        fs::write(dist.join(format!("{name}.br")), brotli(&raw)?)?;
    }
    measure(dist)
}

/// Reads the sizes of the files and their precompressed siblings; fails when
/// a sibling is missing (the build did not run `chatdesk bundle`).
pub fn measure(dist: &Path) -> io::Result<BundleReport> {
    let mut report = BundleReport {
        assets: Vec::new(),
        code: Totals::default(),
        all: Totals::default(),
    };
    for name in compressible_files(dist)? {
        let size =
            |suffix: &str| fs::metadata(dist.join(format!("{name}{suffix}"))).map(|m| m.len());
        let asset = AssetSize {
            raw: size("")?,
            gzip: size(".gz")?,
            brotli: size(".br")?,
            name,
        };
        if matches!(extension(&asset.name), Some("wasm" | "js")) {
            report.code.add(&asset);
        }
        report.all.add(&asset);
        report.assets.push(asset);
    }
    Ok(report)
}

fn compressible_files(dist: &Path) -> io::Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in fs::read_dir(dist)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.file_type()?.is_file()
            && extension(&name).is_some_and(|e| COMPRESSIBLE.contains(&e))
        {
            names.push(name);
        }
    }
    names.sort();
    Ok(names)
}

fn gzip(data: &[u8]) -> io::Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(data)?;
    encoder.finish()
}

fn brotli(data: &[u8]) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &data[..], &mut out, &params)?;
    Ok(out)
}

impl BundleReport {
    /// A table for people.
    pub fn to_table(&self) -> String {
        let mut out = format!(
            "{:<48} {:>10} {:>10} {:>10}\n",
            "asset", "raw", "gzip", "brotli"
        );
        let row = |name: &str, t: Totals| {
            format!("{name:<48} {:>10} {:>10} {:>10}\n", t.raw, t.gzip, t.brotli)
        };
        for a in &self.assets {
            out += &row(
                &a.name,
                Totals {
                    raw: a.raw,
                    gzip: a.gzip,
                    brotli: a.brotli,
                },
            );
        }
        out += &row("total wasm + js", self.code);
        out += &row("total shipped", self.all);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precompress_writes_siblings_that_decompress_and_counts_code() {
        let dir = tempfile::tempdir().unwrap();
        let js = "export function x() { return 1; }\n".repeat(200);
        fs::write(dir.path().join("app-0123456789abcdef.js"), &js).unwrap();
        fs::write(
            dir.path().join("app-0123456789abcdef_bg.wasm"),
            vec![7u8; 5000],
        )
        .unwrap();
        fs::write(
            dir.path().join("index.html"),
            "<!doctype html><title>x</title>",
        )
        .unwrap();
        fs::write(dir.path().join("logo.png"), [1, 2, 3]).unwrap();

        let report = precompress(dir.path()).unwrap();
        let names: Vec<_> = report.assets.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "app-0123456789abcdef.js",
                "app-0123456789abcdef_bg.wasm",
                "index.html"
            ]
        );
        assert_eq!(report.code.raw, js.len() as u64 + 5000);
        assert!(report.code.brotli < report.code.raw / 10);

        let br = fs::read(dir.path().join("app-0123456789abcdef.js.br")).unwrap();
        let mut back = Vec::new();
        brotli::BrotliDecompress(&mut &br[..], &mut back).unwrap();
        assert_eq!(back, js.as_bytes());
        let gz = fs::read(dir.path().join("app-0123456789abcdef.js.gz")).unwrap();
        let mut back = String::new();
        io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gz[..]), &mut back).unwrap();
        assert_eq!(back, js);
    }

    #[test]
    fn measure_fails_without_siblings() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a.js"), "1").unwrap();
        assert!(measure(dir.path()).is_err());
    }
}
