//! What `seed` writes, as plain values: a deterministic pseudo-random generator and the
//! people and texts it makes. A contact's values follow from its number alone, so the
//! conversations that name contact `i` can be made without keeping the contacts around.

/// SplitMix64: small, fast, reproducible (the same `--seed` gives the same data).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// True with probability `percent` / 100.
    pub fn percent(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[usize::try_from(self.below(list.len() as u64)).unwrap_or(0)]
    }
}

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

const FIRST: &[&str] = &[
    "Anna",
    "Ben",
    "Clara",
    "David",
    "Emma",
    "Felix",
    "Greta",
    "Hannah",
    "Ilse",
    "Jonas",
    "Karl",
    "Lena",
    "Marie",
    "Noah",
    "Olga",
    "Paul",
    "Quirin",
    "Rosa",
    "Sophie",
    "Tim",
    "Ute",
    "Valentin",
    "Wilma",
    "Xaver",
    "Yvonne",
    "Zoe",
    "Mehmet",
    "Ayse",
    "Luca",
    "Mia",
    "Elias",
    "Ida",
    "Leon",
    "Frieda",
    "Emil",
    "Lotte",
    "Oskar",
    "Mathilda",
    "Henri",
    "Charlotte",
    "Anna-Lena",
    "Hans-Peter",
    "Jürgen",
    "Björn",
    "Zoë",
    "Émile",
    "Łukasz",
    "Søren",
    "Renée",
    "Dmitri",
];

const LAST: &[&str] = &[
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Schäfer",
    "Koch",
    "Bauer",
    "Richter",
    "Klein",
    "Wolf",
    "Schröder",
    "Neumann",
    "Schwarz",
    "Zimmermann",
    "Braun",
    "Krüger",
    "Hofmann",
    "Hartmann",
    "Lange",
    "Schmitt",
    "Werner",
    "Schmitz",
    "Krause",
    "Meier",
    "Lehmann",
    "Schmid",
    "Schulze",
    "Maier",
    "Köhler",
    "Herrmann",
    "König",
    "Walter",
    "Mayer",
    "Huber",
    "Kaiser",
    "Fuchs",
    "Peters",
    "Lang",
    "Scholz",
    "Möller",
    "Weiß",
    "Jung",
    "Hahn",
    "Vogel",
    "Yılmaz",
    "Kowalski",
    "Nguyen",
    "García",
    "Rossi",
    "O'Brien",
    "van der Berg",
    "Groß-Weber",
    "Lindqvist",
    "Papadopoulos",
];

const DOMAINS: &[&str] = &[
    "example.de",
    "example.com",
    "beispiel.de",
    "mail.example",
    "firma-muster.de",
    "posteo.example",
    "web.example",
    "gmx.example",
    "t-online.example",
    "uni-bench.example",
    "outlook.example",
    "icloud.example",
];

const WORDS: &[&str] = &[
    "Hallo",
    "ich",
    "habe",
    "eine",
    "Frage",
    "zu",
    "meiner",
    "Bestellung",
    "die",
    "Lieferung",
    "ist",
    "noch",
    "nicht",
    "angekommen",
    "können",
    "Sie",
    "bitte",
    "nachsehen",
    "danke",
    "Rechnung",
    "Rücksendung",
    "Konto",
    "Passwort",
    "vergessen",
    "wann",
    "kommt",
    "Paket",
    "Nummer",
    "gerne",
    "schaue",
    "nach",
    "einen",
    "Moment",
    "bitte",
    "alles",
    "klar",
    "super",
    "vielen",
    "Dank",
    "für",
    "Ihre",
    "Geduld",
    "the",
    "order",
    "arrived",
    "damaged",
    "refund",
    "please",
    "invoice",
    "address",
    "changed",
    "Größe",
    "Farbe",
    "umtauschen",
    "Gutschein",
];

const TAGS: &[&str] = &["billing", "shipping", "complaint", "returns", "technical"];

/// The person behind contact number `i`: varied names, unique addresses (the number is part
/// of the local part, so every search hits one contact), some with phone and customer id.
#[derive(Debug, Clone)]
pub struct Person {
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
    pub customer_id: Option<String>,
}

/// The first known contact's address (contacts 0..known are the erasure measurement's).
pub const KNOWN_EMAIL: &str = "known.person@bench.example";

/// Known contact `i`'s address: `KNOWN_EMAIL`, then known.person1@…, known.person2@…
pub fn known_email(i: u64) -> String {
    if i == 0 {
        KNOWN_EMAIL.into()
    } else {
        format!("known.person{i}@bench.example")
    }
}

/// Contact `i`; the first `known` of them are the known persons.
pub fn person(seed: u64, i: u64, known: u64) -> Person {
    let mut r = Rng::new(mix(seed ^ mix(i.wrapping_add(1))));
    if i < known {
        return Person {
            name: "Known Person".into(),
            email: known_email(i),
            phone: Some(format!("+49 30 {}", 1_234_567 + i)),
            customer_id: Some(format!("K-{i:07}")),
        };
    }
    let first = r.pick(FIRST);
    let last = r.pick(LAST);
    let local: String = format!("{first}.{last}")
        .to_lowercase()
        .chars()
        .flat_map(ascii)
        .filter(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '-')
        .collect();
    let email = format!("{local}.{i}@{}", r.pick(DOMAINS));
    let phone = r.percent(60).then(|| {
        let area = 30 + r.below(900);
        let number = 100_000 + r.below(9_000_000);
        // Written the ways people write them; all normalise to one E.164 value.
        match r.below(4) {
            0 => format!("+49 {area} {number}"),
            1 => format!("0{area}/{number}"),
            2 => format!("0049 ({area}) {number}"),
            _ => format!("+49-{area}-{number}"),
        }
    });
    let customer_id = r.percent(40).then(|| format!("K-{i:07}"));
    Person {
        name: format!("{first} {last}"),
        email,
        phone,
        customer_id,
    }
}

/// An address's spelling of a letter of a name.
fn ascii(c: char) -> Vec<char> {
    match c {
        'ä' => vec!['a', 'e'],
        'ö' => vec!['o', 'e'],
        'ü' => vec!['u', 'e'],
        'ß' => vec!['s', 's'],
        'é' | 'ë' | 'è' => vec!['e'],
        'í' | 'ı' => vec!['i'],
        'ł' => vec!['l'],
        'ø' => vec!['o'],
        other => vec![other],
    }
}

/// A chat line of 4 to 24 words.
pub fn sentence(r: &mut Rng) -> String {
    let n = 4 + r.below(21);
    let mut s = String::with_capacity(160);
    for k in 0..n {
        if k > 0 {
            s.push(' ');
        }
        s.push_str(r.pick(WORDS));
    }
    s.push(if r.percent(30) { '?' } else { '.' });
    s
}

pub fn tag(r: &mut Rng) -> &'static str {
    r.pick(TAGS)
}
