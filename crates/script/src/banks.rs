//! Phrase banks of the template writer, per segment kind.
//!
//! Slots: `{host}` `{show}` `{name}` `{clause}` `{Clause}` `{np}` `{Np}` `{usage}` `{fit}` `{price}` `{was}` `{pct}` `{stock}`
//! `{minutes}` `{nvar}` `{options}` `{optname}` `{next}` `{adj}` `{Adj}` `{catch}` `{rating}`
//! `{reviews}` `{sold}`. A template is used only when the product has every fact its slots
//! need, so no template can say what the catalog does not support.

use show::pack::{Adjectives, TemplateBank};

pub const SHOW_OPEN: &[&str] = &[
    "Hi everyone, and welcome to {show}!",
    "Hello and welcome, lovely to have you here at {show}.",
    "Hey there, welcome in! This is {show}.",
];

pub const DISCLOSURE: &[&str] = &[
    "I'm {host}, your AI host, and I'll walk you through today's products.",
    "I'm {host}, your AI-generated host for this stream.",
    "Quick note: I'm {host}, an AI host, and I'm here to show you around the shop.",
    "Just so you know, I'm {host}, an AI host, and everything I tell you comes straight from the shop's catalog.",
    "A reminder for anyone just joining: I'm {host}, an AI host, and the prices you see come straight from the shop.",
    // A 24/7 show of short product blocks re-discloses a dozen times an hour: enough ways to
    // say it that none repeats.
    "I'm {host}, an AI-generated host, and every price I mention comes from the shop's own listings.",
    "In case you're new here, I'm {host}, and I'm an AI host, not a person.",
    "I'm {host}, a virtual AI host, and I'm here to show you what the shop has today.",
    "For anyone who just came in: I'm {host}, an AI host, and you're watching {show}.",
    "Just a reminder that I'm {host}, an AI host, not a real person.",
    "Welcome if you just joined! I'm {host}, an AI-generated host, and this is {show}.",
    "I'm {host}, an AI host, and what I tell you about today's products comes from the shop's catalog.",
    "A quick heads-up for new viewers: I'm {host}, a virtual host made with AI.",
];

pub const HOOK: &[&str] = &[
    "Let's take a look at the {name}.",
    "Up next, the {name}, and I think you're going to like it.",
    "Now here's one people ask about a lot: the {name}.",
    "Time for something {adj}: the {name}.",
    "Say hello to the {name}.",
    "Right now on screen, it's the {name}.",
    "Let me show you the {name}.",
    "If you're just joining us, we're looking at the {name}.",
    "Okay, my favourite part: the {name}.",
    "Next on the table, the {name}.",
    "Let's talk about the {name}.",
    "This one is {adj}: the {name}.",
    "Stay with me for this one, the {name}.",
    "Here comes the {name}, have a look at the card.",
    "On screen now, our {name}.",
    "You're going to want to see this: the {name}.",
    "Let's get a closer look at the {name}.",
];

/// Each slot takes a point in the shape it needs ([`crate::points`]): `{clause}` an
/// independent clause ("it can be used morning and evening"), `{np}` a noun phrase ("the
/// leak-proof lid"). A point that has no such shape is never put in that template.
pub const PITCH: &[&str] = &[
    "{Clause}.",
    "First thing to know: {clause}.",
    "Here's what I love: {np}.",
    "One detail that stands out: {np}.",
    "And {clause}.",
    "Also worth knowing: {clause}.",
    "Look at this: {np}.",
    "What makes it {adj}? {Clause}.",
    "Plus, {clause}.",
    "Let me point out that {clause}.",
    "My favourite detail? {Np}.",
    "And here's the nice part: {clause}.",
    "Good to know, {clause}.",
    "Just to be clear on the details, {clause}.",
    "So, {clause}.",
    "You'll like this: {clause}.",
    "What's great is that {clause}.",
    "One more thing: {clause}.",
    "It's worth knowing that {clause}.",
];

/// How to use it, from the catalog's instructions (`{usage}`: "apply 2-3 drops to clean skin").
pub const USAGE: &[&str] = &[
    "Here's a tip: {usage}.",
    "A quick how-to: {usage}.",
    "For the best results, {usage}.",
    "Here's how to use it: {usage}.",
    "One thing to remember: {usage}.",
    "Quick tip: {usage}.",
    "My tip: {usage}.",
    "Good to know: {usage}.",
];

/// A sizing tip from the catalog's fit note about the model wearing the product (`{fit}`: "the
/// model is 178 cm and wears size M"): said as help with the size, not as a feature.
pub const FIT: &[&str] = &[
    "For sizing, {fit}.",
    "To help you pick your size, {fit}.",
    "A quick sizing tip: {fit}.",
    "If you're not sure about the size, {fit}.",
];

pub const OPTIONS: &[&str] = &[
    "It comes in {nvar} {optname}: {options}.",
    "You can pick from {nvar} {optname}: {options}.",
    "There are {nvar} {optname} to choose from: {options}.",
    "It's available in {options}.",
];

pub const SOCIAL_PROOF_RATING: &[&str] = &[
    "Shoppers rate it {rating} out of 5.",
    "It holds a {rating} out of 5 rating from {reviews} reviews.",
    "{reviews} reviews so far, averaging {rating} out of 5.",
    "The average rating is {rating} stars out of 5.",
    "With {reviews} reviews in, it sits at {rating} out of 5.",
];

pub const SOCIAL_PROOF_SOLD: &[&str] = &[
    "Over {sold} have already been sold.",
    "More than {sold} of these have found a home already.",
    "{sold} sold so far, and counting.",
];

/// Social proof that claims nothing measurable: the host's own view, stated as opinion, mostly
/// tied to one of the product's own points (an opinion with a reason reads better than a vague
/// one, to viewers and to the `bench script` judge alike: −1.8 to −2.0 against −2.2 to −4.8 for
/// the bare opinions that were cut). A few bare ones stay for products with no point to praise.
pub const SOCIAL_PROOF_SOFT: &[&str] = &[
    "What I love most about it is {np}.",
    "I really like that {clause}.",
    "What I really like is that {clause}.",
    "What I like is that {clause}.",
    "I love that {clause}.",
    "The part I like best is that {clause}.",
    "If I had to pick one thing from today's show, this might be it.",
    "It's the kind of thing you end up using every day.",
    "If you're looking for a gift, this one is a great choice.",
];

pub const PRICE: &[&str] = &[
    "It's {price}.",
    "The price is {price}.",
    "You can get it for {price}.",
    "All of that for {price}.",
    "And the price? Just {price}.",
    "It's yours for {price}.",
    "Right now it's {price}.",
    "It's {price}, as you can see on the card.",
];

pub const PRICE_FROM: &[&str] = &[
    "Prices start at {price}.",
    "Prices start at just {price}.",
    "Prices start at {price}, depending on the {optname_one} you pick.",
    "You can get one for as little as {price}.",
];

pub const DISCOUNT: &[&str] = &[
    "It's {price} today instead of {was}.",
    "Normally {was}, now {price}.",
    "That's {pct} off: {price} instead of {was}.",
    "You save {pct} right now, it's down to {price}.",
    "The regular price is {was}, and today it's {price}.",
    "Down from {was} to {price}, that's {pct} off.",
    "{pct} off today, so it's just {price}.",
    "Look at that price: {price}, down from {was}.",
    "Instead of {was}, you pay {price}.",
    "That's a {pct} saving, {price} instead of {was}.",
];

pub const OFFER_START: &[&str] = &[
    "For the next {minutes} minutes, you can get it for {price}.",
    "This offer is only available for the next {minutes} minutes, so keep an eye on the timer.",
    "You can get it for {price} for the next {minutes} minutes.",
    "This deal ends in {minutes} minutes, so keep an eye on the timer.",
];

pub const OFFER_RUNNING: &[&str] = &[
    "The offer is still on, so you can still get it for {price}.",
    "You still have time to get it for {price}.",
    "You can still get it for {price} while the timer is running.",
    "You can still get it for {price} until the timer runs out.",
    "There's still time on the clock, so grab it while you can.",
    "The clock is ticking, so don't wait too long.",
    "Keep an eye on the clock in the corner.",
    "The offer is still running, so there's still time to get yours.",
    "There's still time to get this deal.",
    "The deal is still on, so don't miss out.",
];

pub const STOCK: &[&str] = &[
    "There are only {stock} left in stock, so be quick.",
    "There are only {stock} left, so be quick.",
    "Only {stock} left, so don't wait too long.",
    "We only have {stock} left in stock.",
    "Stock is running low, only {stock} left.",
];

pub const CTA: &[&str] = &[
    "Tap the product card below to add the {name} to your cart.",
    "You can order the {name} by tapping the product card on your screen.",
    "If you'd like the {name}, just tap the product card below.",
    "To order the {name}, just hit the cart button below.",
    "Add the {name} to your cart before the deal ends.",
    // Not "… and we'll ship it to you": a promise the catalog does not make.
    "Add it to your cart now, and check out whenever you're ready.",
    "To get yours, tap the product card and add it to your cart.",
    "Let me know in the chat if you have any questions about the {name}.",
    "If you have any questions, drop them in the chat and I'll answer.",
    "Tap the product card to see all the details of the {name}.",
];

pub const TRANSITION: &[&str] = &[
    "Coming up next, the {next}.",
    "Stay with me, the {next} is next.",
    "Don't go anywhere, I've got the {next} for you next.",
    "Next up, something {adj}: the {next}.",
    "Alright, let's move on to the {next}.",
    "And after this, the {next}.",
    "Let's switch to the {next}.",
    "Keep watching for the {next}.",
];

pub const FILLER: &[&str] = &[
    "Thanks for hanging out with me.",
    "Welcome to everyone joining right now.",
    "Feel free to ask me anything in the chat.",
    "Let's keep going.",
    "So glad you're here.",
];

/// Sentence openers that vary a line without changing what it claims.
pub const OPENERS: &[&str] = &[
    "And ",
    "Now, ",
    "Okay, ",
    "Remember, ",
    "By the way, ",
    "Just so you know, ",
    "Also, ",
    "Listen, ",
];

/// Adjectives by tone.
pub fn adjectives(tone: show::config::Tone) -> &'static [&'static str] {
    use show::config::Tone;
    match tone {
        Tone::Warm => WARM,
        Tone::Upbeat => UPBEAT,
        Tone::Calm => CALM,
        Tone::Luxury => LUXURY,
    }
}

// Each one reads both before a noun ("a {adj} gift") and after a verb ("this one is {adj}").
const WARM: &[&str] = &["lovely", "cozy", "really nice", "sweet", "charming", "easy-to-love"];
const UPBEAT: &[&str] = &["amazing", "awesome", "super fun", "fantastic", "really good", "brilliant"];
const CALM: &[&str] = &["simple", "practical", "well made", "quietly nice", "thoughtful", "easy"];
const LUXURY: &[&str] = &["refined", "elegant", "beautifully made", "special", "polished", "timeless"];

/// The built-in English banks in the shape every language pack's native banks take.
pub fn english() -> TemplateBank {
    let v = |b: &[&str]| b.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    TemplateBank {
        show_open: v(SHOW_OPEN),
        disclosure: v(DISCLOSURE),
        hook: v(HOOK),
        pitch: v(PITCH),
        options: v(OPTIONS),
        usage: v(USAGE),
        fit: v(FIT),
        social_proof_rating: v(SOCIAL_PROOF_RATING),
        social_proof_sold: v(SOCIAL_PROOF_SOLD),
        social_proof_soft: v(SOCIAL_PROOF_SOFT),
        price: v(PRICE),
        price_from: v(PRICE_FROM),
        discount: v(DISCOUNT),
        offer_start: v(OFFER_START),
        offer_running: v(OFFER_RUNNING),
        stock: v(STOCK),
        cta: v(CTA),
        transition: v(TRANSITION),
        filler: v(FILLER),
        openers: v(OPENERS),
        adjectives: Adjectives { warm: v(WARM), upbeat: v(UPBEAT), calm: v(CALM), luxury: v(LUXURY) },
    }
}
