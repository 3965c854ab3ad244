//! The few words the stage writes itself, per language: the AI label the platforms and the EU
//! AI Act ask for, the stock counter, the countdown caption and the QR caption.

use show::Locale;

/// The visible "AI-generated host" label in the locale's language (English when unknown).
pub fn ai_label(locale: &Locale) -> &'static str {
    match (locale.language(), locale.region()) {
        ("es", _) => "Presentador generado por IA",
        ("pt", _) => "Apresentador gerado por IA",
        ("fr", _) => "Présentateur généré par IA",
        ("de", _) => "KI-generierter Moderator",
        ("it", _) => "Conduttore generato dall'IA",
        ("nl", _) => "AI-gegenereerde presentator",
        ("zh", Some("TW" | "HK" | "MO")) => "AI 生成主播",
        ("zh", _) => "AI 生成主播",
        ("ja", _) => "AI生成のホスト",
        ("ko", _) => "AI 생성 진행자",
        ("ar", _) => "مقدّم مُنشأ بالذكاء الاصطناعي",
        ("he", _) => "מנחה שנוצר בבינה מלאכותית",
        ("th", _) => "พิธีกรที่สร้างโดย AI",
        ("vi", _) => "Người dẫn do AI tạo",
        ("id" | "ms", _) => "Host buatan AI",
        ("tr", _) => "Yapay zekâ sunucu",
        ("ru", _) => "Ведущий создан ИИ",
        ("pl", _) => "Prowadzący wygenerowany przez AI",
        ("hi", _) => "AI-जनित होस्ट",
        _ => "AI-generated host",
    }
}

/// "Only 12 left" (the count already formatted for the market).
pub(crate) fn only_left(locale: &Locale, n: &str) -> String {
    match locale.language() {
        "es" => format!("¡Solo quedan {n}!"),
        "pt" => format!("Restam só {n}!"),
        "fr" => format!("Plus que {n} en stock"),
        "de" => format!("Nur noch {n} da"),
        "it" => format!("Solo {n} rimasti"),
        "nl" => format!("Nog maar {n}"),
        "zh" => format!("仅剩 {n} 件"),
        "ja" => format!("残り{n}点"),
        "ko" => format!("{n}개 남음"),
        "ar" => format!("تبقّى {n} فقط"),
        "he" => format!("נשארו רק {n}"),
        "th" => format!("เหลือเพียง {n} ชิ้น"),
        "vi" => format!("Chỉ còn {n}"),
        "id" | "ms" => format!("Sisa {n} lagi"),
        "tr" => format!("Son {n} ürün"),
        "ru" => format!("Осталось {n}"),
        "pl" => format!("Zostało {n}"),
        _ => format!("Only {n} left"),
    }
}

/// "2,140 sold" (the count already formatted for the market).
pub(crate) fn sold(locale: &Locale, n: &str) -> String {
    match locale.language() {
        "es" => format!("{n} vendidos"),
        "pt" => format!("{n} vendidos"),
        "fr" => format!("{n} vendus"),
        "de" => format!("{n} verkauft"),
        "it" => format!("{n} venduti"),
        "nl" => format!("{n} verkocht"),
        "zh" => format!("已售 {n}"),
        "ja" => format!("{n}点販売"),
        "ko" => format!("{n}개 판매"),
        "ar" => format!("بيع {n}"),
        "th" => format!("ขายแล้ว {n}"),
        "vi" => format!("Đã bán {n}"),
        "id" | "ms" => format!("{n} terjual"),
        "tr" => format!("{n} satıldı"),
        "ru" => format!("Продано {n}"),
        "pl" => format!("Sprzedano {n}"),
        _ => format!("{n} sold"),
    }
}

pub(crate) fn sold_out(locale: &Locale) -> &'static str {
    match locale.language() {
        "es" => "Agotado",
        "pt" => "Esgotado",
        "fr" => "Épuisé",
        "de" => "Ausverkauft",
        "it" => "Esaurito",
        "zh" => "已售罄",
        "ja" => "売り切れ",
        "ko" => "품절",
        "ar" => "نفدت الكمية",
        "th" => "สินค้าหมด",
        "id" | "ms" => "Habis",
        _ => "Sold out",
    }
}

/// The caption before the offer countdown.
pub(crate) fn ends_in(locale: &Locale) -> &'static str {
    match locale.language() {
        "es" => "Termina en",
        "pt" => "Termina em",
        "fr" => "Fin dans",
        "de" => "Endet in",
        "it" => "Termina tra",
        "nl" => "Eindigt over",
        "zh" => "限时",
        "ja" => "残り",
        "ko" => "남은 시간",
        "ar" => "ينتهي خلال",
        "he" => "מסתיים בעוד",
        "th" => "เหลือเวลา",
        "vi" => "Kết thúc sau",
        "id" | "ms" => "Berakhir",
        "tr" => "Bitiyor",
        "ru" => "Осталось",
        "pl" => "Koniec za",
        _ => "Ends in",
    }
}

pub(crate) fn scan_to_buy(locale: &Locale) -> &'static str {
    match locale.language() {
        "es" => "Escanea y compra",
        "pt" => "Escaneie e compre",
        "fr" => "Scannez pour acheter",
        "de" => "Scannen & kaufen",
        "it" => "Scansiona e compra",
        "zh" => "扫码购买",
        "ja" => "スキャンして購入",
        "ko" => "스캔하여 구매",
        "ar" => "امسح للشراء",
        "th" => "สแกนเพื่อซื้อ",
        "vi" => "Quét để mua",
        "id" | "ms" => "Pindai untuk beli",
        _ => "Scan to buy",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_per_language() {
        let l = |t: &str| ai_label(&Locale::parse(t).unwrap());
        assert_eq!(l("en-US"), "AI-generated host");
        assert_eq!(l("es-MX"), "Presentador generado por IA");
        assert_eq!(l("zh-CN"), "AI 生成主播");
        assert_eq!(l("xx"), "AI-generated host");
    }
}
