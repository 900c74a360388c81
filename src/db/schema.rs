//! One hand-written schema for both backends (they share column types).

diesel::table! {
    staff (id) {
        id -> BigInt,
        username -> Text,
        email_enc -> Nullable<Binary>,
        email_index -> Nullable<Binary>,
        role -> Text,
        password_hash -> Text,
        disabled -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    sessions (token_hash) {
        token_hash -> Binary,
        staff_id -> BigInt,
        csrf_token -> Text,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
    }
}

diesel::table! {
    login_throttle (subject) {
        subject -> Binary,
        failures -> Integer,
        blocked_until -> Nullable<Timestamp>,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(sessions -> staff (staff_id));
diesel::allow_tables_to_appear_in_same_query!(staff, sessions, login_throttle);
