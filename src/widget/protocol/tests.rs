use super::*;

#[test]
fn good_frames_parse() {
    assert_eq!(parse(r#"{"v":1,"type":"ping"}"#), Ok(Inbound::Ping));
    assert_eq!(
        parse(r#"{"v":1,"type":"message","id":"a-1","text":"  Hallo  "}"#),
        Ok(Inbound::Message {
            id: "a-1".into(),
            text: "Hallo".into()
        })
    );
}

#[test]
fn bad_frames_are_refused_with_a_reason() {
    let long = format!(
        r#"{{"v":1,"type":"message","id":"x","text":"{}"}}"#,
        "a".repeat(4001)
    );
    let cases = [
        ("not json", Refusal::BadJson),
        ("[1,2]", Refusal::BadJson),
        (r#"{"type":"ping"}"#, Refusal::UnsupportedVersion),
        (r#"{"v":2,"type":"ping"}"#, Refusal::UnsupportedVersion),
        (r#"{"v":1,"type":"shout"}"#, Refusal::UnknownType),
        (r#"{"v":1,"type":"message","id":"x"}"#, Refusal::BadJson),
        (
            r#"{"v":1,"type":"message","id":"x y","text":"a"}"#,
            Refusal::BadId,
        ),
        (
            r#"{"v":1,"type":"message","id":"x","text":"   "}"#,
            Refusal::EmptyText,
        ),
        (long.as_str(), Refusal::TextTooLong),
        (
            r#"{"v":1,"type":"hello","resume":{"token":"short","after":0}}"#,
            Refusal::BadToken,
        ),
        (
            r#"{"v":1,"type":"hello","resume":{"token":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaa/","after":0}}"#,
            Refusal::BadToken,
        ),
        (
            r#"{"v":1,"type":"hello","resume":{"token":"aaaaaaaaaaaaaaaaaaaaaaaaa","after":-1}}"#,
            Refusal::BadJson,
        ),
        (
            r#"{"v":1,"type":"offline","id":"x","text":"a","email":"nope"}"#,
            Refusal::BadContact,
        ),
    ];
    for (frame, refusal) in cases {
        assert_eq!(parse(frame), Err(refusal), "{frame}");
    }
}

#[test]
fn arbitrary_bytes_never_panic() {
    const ALPHABET: &[u8] = b"{}[]\":,v1typemsagexth \\u0041";
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    for len in 0..2000 {
        let bytes: Vec<u8> = (0..len % 97)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                ALPHABET[(seed % ALPHABET.len() as u64) as usize]
            })
            .collect();
        let _ = parse(&String::from_utf8_lossy(&bytes));
    }
}

#[test]
fn consent_names_a_full_hash_and_a_visitor_language() {
    let hash = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    assert_eq!(
        parse(&format!(
            r#"{{"v":1,"type":"consent","notice":"{hash}","lang":"fr"}}"#
        )),
        Ok(Inbound::Consent {
            notice: hash.into(),
            lang: VisitorLang::Fr
        })
    );
    for bad in [
        format!(r#"{{"v":1,"type":"consent","notice":"{hash}","lang":"xx"}}"#),
        format!(
            r#"{{"v":1,"type":"consent","notice":"{}","lang":"de"}}"#,
            &hash[..12]
        ),
        format!(
            r#"{{"v":1,"type":"consent","notice":"{}","lang":"de"}}"#,
            hash.to_uppercase()
        ),
    ] {
        assert_eq!(parse(&bad), Err(Refusal::BadConsent), "{bad}");
    }
    assert_eq!(
        parse(r#"{"v":1,"type":"consent","lang":"de"}"#),
        Err(Refusal::BadJson)
    );
}

#[test]
fn hello_keeps_page_addresses_without_query_or_fragment() {
    let frame = r#"{"v":1,"type":"hello","page":"https://shop.example.de/kasse?email=a@b.de#x","referrer":"https://www.google.de/"}"#;
    assert_eq!(
        parse(frame),
        Ok(Inbound::Hello {
            resume: None,
            page: Some("https://shop.example.de/kasse".into()),
            referrer: Some("https://www.google.de/".into()),
        })
    );
    for bad in ["javascript:alert(1)", "https://a b", "file:///etc/passwd"] {
        let frame = format!(r#"{{"v":1,"type":"hello","page":"{bad}"}}"#);
        assert_eq!(parse(&frame), Err(Refusal::BadPage), "{bad}");
    }
    assert_eq!(
        parse(r#"{"v":1,"type":"hello","referrer":""}"#),
        Ok(Inbound::Hello {
            resume: None,
            page: None,
            referrer: None
        })
    );
}

#[test]
fn self_service_frames_parse() {
    assert_eq!(parse(r#"{"v":1,"type":"data"}"#), Ok(Inbound::Data));
    assert_eq!(parse(r#"{"v":1,"type":"erase"}"#), Ok(Inbound::Erase));
    assert_eq!(parse(r#"{"v":1,"type":"withdraw"}"#), Ok(Inbound::Withdraw));
    // An id the visitor adds is ignored: the socket's own conversation is the only one.
    assert_eq!(
        parse(r#"{"v":1,"type":"data","conversation":"123"}"#),
        Ok(Inbound::Data)
    );
    assert_eq!(
        parse(r#"{"v":1,"type":"identify","name":" Anna ","email":"a@b.de"}"#),
        Ok(Inbound::Identify {
            name: Some("Anna".into()),
            email: Some("a@b.de".into())
        })
    );
    for bad in [
        r#"{"v":1,"type":"identify"}"#,
        r#"{"v":1,"type":"identify","name":"  ","email":""}"#,
        r#"{"v":1,"type":"identify","email":"kein-at"}"#,
    ] {
        assert_eq!(parse(bad), Err(Refusal::BadContact), "{bad}");
    }
}
