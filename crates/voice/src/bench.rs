//! How fast a voice speaks: real-time factor and per-line latency, for any [`Voice`].

use std::time::Instant;

use show::stages::{StageError, Voice};
use show::{Currency, Fact, Line, Locale, Money, SegmentKind};

/// The outcome of [`bench_voice`].
#[derive(Clone, Debug, PartialEq)]
pub struct BenchReport {
    pub voice: String,
    pub lines: usize,
    /// Seconds of speech produced.
    pub audio_seconds: f64,
    /// Seconds spent producing it.
    pub wall_seconds: f64,
    /// `wall_seconds / audio_seconds`: below 1 is faster than real time.
    pub rtf: f64,
    /// The slowest single line, in seconds: what a viewer waits for a reply at worst.
    pub max_line_seconds: f64,
}

impl std::fmt::Display for BenchReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} lines, {:.1} s of speech in {:.2} s (RTF {:.3}, {:.0}× real time), slowest line {:.0} ms",
            self.voice,
            self.lines,
            self.audio_seconds,
            self.wall_seconds,
            self.rtf,
            1.0 / self.rtf.max(1e-9),
            self.max_line_seconds * 1000.0
        )
    }
}

/// Speaks every line once (after one untimed warm-up line) and measures the whole path a show
/// uses: normalization, synthesis, resampling, visemes and word timing.
pub fn bench_voice(voice: &mut dyn Voice, lines: &[Line], locale: &Locale) -> Result<BenchReport, StageError> {
    if let Some(first) = lines.first() {
        voice.speak(first, locale)?;
    }
    let (mut audio, mut wall, mut max_line) = (0.0f64, 0.0f64, 0.0f64);
    for line in lines {
        let t = Instant::now();
        let u = voice.speak(line, locale)?;
        let took = t.elapsed().as_secs_f64();
        wall += took;
        max_line = max_line.max(took);
        audio += f64::from(u.duration());
    }
    Ok(BenchReport {
        voice: voice.name().to_string(),
        lines: lines.len(),
        audio_seconds: audio,
        wall_seconds: wall,
        rtf: if audio > 0.0 { wall / audio } else { f64::INFINITY },
        max_line_seconds: max_line,
    })
}

/// A short run of show in English with prices, discounts, counts and ratings, for benchmarks.
/// (Translate it first to bench another language's text; numbers are spoken per locale.)
pub fn bench_lines() -> Vec<Line> {
    let usd = |s: &str| Money::parse(s, Currency::USD).unwrap_or(Money::new(0, Currency::USD));
    let l = |k: SegmentKind| Line::new(k, Some("bamboo-lamp".to_string()));
    vec![
        l(SegmentKind::Hook).text("Welcome back, everyone! Look at what just landed on my desk."),
        l(SegmentKind::Pitch).text("This bamboo lamp folds flat to 5 cm and reaches 42 cm tall, with three colour temperatures."),
        l(SegmentKind::SocialProof).text("It's rated ").fact(Fact::Rating(48)).text(" by ").fact(Fact::Count(312)).text(" buyers, and ").fact(Fact::Count(2140)).text(" sold."),
        l(SegmentKind::Offer).text("It was ").fact(Fact::Price(usd("45.90"))).text(", today just ").fact(Fact::Price(usd("32.90"))).text(", that's ").fact(Fact::Percent(28)).text(" off!"),
        l(SegmentKind::Offer).text("Only ").fact(Fact::Count(64)).text(" left, and the deal ends in ").fact(Fact::Minutes(15)).text(" minutes."),
        l(SegmentKind::CallToAction).text("Tap the card below to grab yours before they're gone!"),
    ]
}

/// Short sales lines written in `language` (an ISO 639-1 code), with prices and numbers as a
/// host says them, for voice benchmarks and recognition round trips. English for languages
/// without their own.
pub fn sample_lines(language: &str) -> Vec<Line> {
    let text: &[&str] = match language {
        "es" => &[
            "¡Hola a todos, bienvenidos de nuevo!",
            "Esta lámpara de bambú se pliega y cabe en cualquier mochila.",
            "Hoy cuesta solo treinta y dos dólares, con envío gratis.",
            "Quedan sesenta y cuatro unidades, así que no esperes mucho.",
            "Toca la tarjeta de abajo y llévate la tuya ahora mismo.",
        ],
        "fr" => &[
            "Bonjour à tous, et bienvenue dans notre boutique en direct !",
            "Cette lampe en bambou se plie et tient dans votre sac.",
            "Aujourd'hui, elle ne coûte que trente-deux euros, livraison offerte.",
            "Il en reste soixante-quatre, alors ne tardez pas.",
            "Touchez la carte en bas de l'écran pour commander.",
        ],
        "it" => &[
            "Ciao a tutti e benvenuti nel nostro negozio in diretta!",
            "Questa lampada di bambù si piega e sta in ogni borsa.",
            "Oggi costa solo trentadue euro, con spedizione gratuita.",
            "Ne restano sessantaquattro, quindi non aspettate troppo.",
            "Toccate la scheda qui sotto per ordinare la vostra.",
        ],
        "pt" => &[
            "Olá a todos, sejam bem-vindos à nossa loja ao vivo!",
            "Esta luminária de bambu dobra e cabe em qualquer mochila.",
            "Hoje ela custa só trinta e dois reais, com frete grátis.",
            "Restam sessenta e quatro unidades, então não espere muito.",
            "Toque no cartão abaixo para garantir a sua agora.",
        ],
        "zh" => &[
            "大家好，欢迎来到我们的直播间！",
            "这款竹制台灯可以折叠，放进包里很方便。",
            "今天只要三十二元，而且包邮。",
            "库存只剩六十四件了，喜欢的朋友抓紧下单。",
            "点击下方的商品卡片，马上带回家。",
        ],
        "ja" => &[
            "みなさん、こんにちは。ライブ配信へようこそ！",
            "この竹のランプは折りたたんで持ち運べます。",
            "今日だけ、送料無料でお届けします。",
            "残りわずかなので、お早めにどうぞ。",
            "下の商品カードをタップしてください。",
        ],
        _ => {
            return vec![
                Line::new(SegmentKind::Hook, None).text("Welcome back, everyone, and thanks for joining the live shop today!"),
                Line::new(SegmentKind::Pitch, None).text("This bamboo lamp folds flat and fits in any backpack you own."),
                Line::new(SegmentKind::Offer, None).text("Today it costs just ").fact(Fact::Price(Money::new(3290, Currency::USD))).text(", with free shipping."),
                Line::new(SegmentKind::Offer, None).text("There are only ").fact(Fact::Count(64)).text(" left, so please do not wait too long."),
                Line::new(SegmentKind::CallToAction, None).text("Tap the card below the video to grab yours right now."),
            ];
        }
    };
    text.iter().map(|t| Line::new(SegmentKind::Pitch, None).text(t.to_string())).collect()
}
