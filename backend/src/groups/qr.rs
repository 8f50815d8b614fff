//! The join link as a scannable QR code, drawn on the server so the console
//! bundle carries no QR encoder.

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// An SVG image of `link` as a QR code (medium error correction, with the
/// quiet zone scanners need).
pub fn svg(link: &str) -> Result<String, qrcode::types::QrError> {
    let code = QrCode::with_error_correction_level(link.as_bytes(), EcLevel::M)?;
    Ok(code
        .render::<svg::Color<'_>>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_a_standalone_svg_of_the_link() {
        let link =
            "https://qr.dingtalk.com/action/joingroup?code=v1,k1,abc&_dt_no_comment=1&origin=11";
        let image = svg(link).unwrap();
        assert!(image.starts_with("<?xml"), "{}", &image[..40]);
        assert!(image.contains("<svg") && image.contains("</svg>"));
        // The same link always gives the same image; another link another.
        assert_eq!(image, svg(link).unwrap());
        assert_ne!(image, svg("https://example.com/other").unwrap());
        // Dark modules are drawn as path data.
        assert!(image.contains("<path"));
    }
}
