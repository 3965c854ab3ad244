//! What a viewer asks: the topic of a message, told from its words (English, Spanish,
//! Portuguese, French, German keywords), never from a model that the message could steer.

/// What a message is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    Price,
    Discount,
    Stock,
    /// Colours, sizes, variants.
    Options,
    Material,
    Usage,
    Shipping,
    Returns,
    Payment,
    Warranty,
    /// A question the catalog may not answer.
    Question,
    Greeting,
    /// The viewer thanks the host.
    Thanks,
    Follow,
    Gift,
    /// Chatter: nothing asked.
    Other,
}

impl Intent {
    /// A question about a product or the shop (the first lane).
    pub fn is_question(self) -> bool {
        !matches!(self, Intent::Greeting | Intent::Thanks | Intent::Follow | Intent::Gift | Intent::Other)
    }

    pub fn name(self) -> &'static str {
        match self {
            Intent::Price => "price",
            Intent::Discount => "discount",
            Intent::Stock => "stock",
            Intent::Options => "options",
            Intent::Material => "material",
            Intent::Usage => "usage",
            Intent::Shipping => "shipping",
            Intent::Returns => "returns",
            Intent::Payment => "payment",
            Intent::Warranty => "warranty",
            Intent::Question => "question",
            Intent::Greeting => "greeting",
            Intent::Thanks => "thanks",
            Intent::Follow => "follow",
            Intent::Gift => "gift",
            Intent::Other => "other",
        }
    }
}

/// Lower case, accents off, every non-letter a space.
pub fn plain_words(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase).map(show::pack::strip_accent) {
        out.push(if c.is_alphanumeric() { c } else { ' ' });
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

const TOPICS: &[(Intent, &[&str])] = &[
    (Intent::Returns, &["return", "returns", "refund", "refunds", "exchange", "send it back", "devolucion", "devoluciones", "reembolso", "devolucao", "troca", "retour", "rembourse", "ruckgabe", "umtausch"]),
    (Intent::Shipping, &["ship", "ships", "shipping", "delivery", "deliver", "arrive", "postage", "send to", "envio", "envios", "entrega", "llega", "frete", "chega", "livraison", "versand", "lieferung"]),
    (Intent::Payment, &["pay", "payment", "paypal", "klarna", "afterpay", "credit card", "cash on delivery", "pago", "tarjeta", "pagamento", "pix", "boleto", "cartao", "paiement", "zahlung"]),
    (Intent::Warranty, &["warranty", "warrantee", "garantia", "garantie"]),
    (Intent::Discount, &["discount", "coupon", "promo", "code", "deal", "sale", "off", "descuento", "cupon", "oferta", "desconto", "cupom", "promocao", "reduction", "rabatt"]),
    (Intent::Stock, &["stock", "left", "available", "sold out", "in stock", "how many", "quedan", "disponible", "agotado", "estoque", "disponivel", "esgotado", "dispo", "vorratig", "verfugbar"]),
    (Intent::Price, &["how much", "price", "prices", "cost", "costs", "costing", "expensive", "cheap", "dollars", "bucks", "cuanto", "cuesta", "precio", "vale", "quanto", "custa", "preco", "combien", "prix", "kostet", "preis"]),
    (Intent::Options, &["color", "colors", "colour", "colours", "size", "sizes", "sizing", "variant", "variants", "options", "come in", "comes in", "fit", "fits", "talla", "tallas", "tamano", "colores", "tamanho", "cor", "cores", "taille", "couleur", "grosse", "farbe"]),
    (Intent::Material, &["material", "materials", "made of", "made from", "fabric", "cotton", "plastic", "bamboo", "wood", "metal", "steel", "glass", "silicone", "leather", "bpa", "toxic", "ingredients", "hecho de", "tela", "feito de", "tecido", "matiere", "stoff"]),
    (Intent::Usage, &["how do i use", "how to use", "how does it work", "how do you use", "instructions", "wash", "washable", "clean it", "care", "dishwasher", "como se usa", "como usar", "como funciona", "mode d emploi"]),
];

const GREETINGS: &[&str] = &["hi", "hii", "hey", "hello", "helo", "yo", "good morning", "good evening", "good afternoon", "hola", "buenas", "buenos dias", "oi", "ola", "bom dia", "boa tarde", "boa noite", "bonjour", "salut", "hallo", "servus", "こんにちは", "你好", "안녕"];
const THANKS: &[&str] = &["thanks", "thank you", "thx", "ty", "gracias", "obrigado", "obrigada", "merci", "danke"];
const QUESTION_WORDS: &[&str] = &["what", "which", "does", "do", "is", "are", "can", "will", "where", "when", "how", "que", "cual", "donde", "cuando", "como", "qual", "onde", "quando", "quoi", "est ce", "was", "wie"];

/// The topic of a message (cleaned text).
pub fn classify(text: &str) -> Intent {
    let plain = plain_words(text);
    let spaced = format!(" {plain} ");
    let has = |w: &&str| spaced.contains(&format!(" {w} ")) || (!w.is_ascii() && text.contains(*w));
    for (intent, words) in TOPICS {
        if words.iter().any(has) {
            return *intent;
        }
    }
    if text.contains('$') || text.contains('€') {
        return Intent::Price;
    }
    let n = plain.split_whitespace().count();
    let first_two: String = plain.split_whitespace().take(2).collect::<Vec<_>>().join(" ");
    let first: &str = plain.split_whitespace().next().unwrap_or("");
    if n <= 6 && (GREETINGS.contains(&first) || GREETINGS.contains(&first_two.as_str()) || GREETINGS.iter().any(|g| !g.is_ascii() && text.contains(g))) {
        return Intent::Greeting;
    }
    if n <= 8 && THANKS.iter().any(has) {
        return Intent::Thanks;
    }
    if text.contains('?') || text.contains('？') || QUESTION_WORDS.contains(&first) {
        return Intent::Question;
    }
    Intent::Other
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics() {
        assert_eq!(classify("How much is the lamp??"), Intent::Price);
        assert_eq!(classify("¿Cuánto cuesta?"), Intent::Price);
        assert_eq!(classify("do you ship to Canada"), Intent::Shipping);
        assert_eq!(classify("what colours does it come in"), Intent::Options);
        assert_eq!(classify("is it made of real bamboo?"), Intent::Material);
        assert_eq!(classify("hi everyone!"), Intent::Greeting);
        assert_eq!(classify("thank you Mia"), Intent::Thanks);
        assert_eq!(classify("does it glow in the dark?"), Intent::Question);
        assert_eq!(classify("lol"), Intent::Other);
        assert_eq!(classify("can I return it"), Intent::Returns);
    }
}
