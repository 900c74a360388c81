//! Staff accounts and what watches them: the audit log, roles and teams, second factors,
//! sign-in challenges and operator profiles.

// Audit log (helper AUDIT): append-only, hash-chained; ids and fixed words only.
diesel::table! {
    audit_log (seq) {
        seq -> BigInt,
        at -> Timestamp,
        actor -> Text,
        actor_id -> Nullable<BigInt>,
        action -> Text,
        object_type -> Text,
        object_id -> Nullable<BigInt>,
        outcome -> Text,
        reason -> Nullable<Text>,
        mac -> Binary,
        // Which parts an action touched, fixed words (helper CONTACT, migration 000005).
        detail -> Nullable<Text>,
    }
}

diesel::table! {
    audit_anchor (id) {
        id -> BigInt,
        seq -> BigInt,
        mac -> Binary,
        pruned_at -> Timestamp,
        anchor_mac -> Binary,
    }
}

// Roles and teams (helper ROLES).
diesel::table! {
    roles (id) {
        id -> BigInt,
        name -> Text,
        builtin -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    role_permissions (role_id, area) {
        role_id -> BigInt,
        area -> Text,
        level -> Text,
        scope -> Text,
    }
}

diesel::table! {
    teams (id) {
        id -> BigInt,
        name -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    staff_teams (staff_id, team_id) {
        staff_id -> BigInt,
        team_id -> BigInt,
    }
}

diesel::joinable!(role_permissions -> roles (role_id));
diesel::joinable!(staff_teams -> teams (team_id));
diesel::allow_tables_to_appear_in_same_query!(roles, role_permissions, teams, staff_teams);

// Staff accounts: second factor, login challenges, operator appearance (helper ACCOUNT).
diesel::table! {
    staff_second_factor (staff_id) {
        staff_id -> BigInt,
        secret_enc -> Binary,
        confirmed_at -> Nullable<Timestamp>,
        last_step -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    staff_recovery_codes (id) {
        id -> BigInt,
        staff_id -> BigInt,
        code_hash -> Binary,
        used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    role_second_factor (role_key) {
        role_key -> Text,
        required -> Bool,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    login_challenges (token_hash) {
        token_hash -> Binary,
        staff_id -> BigInt,
        client_label -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    operator_profiles (staff_id) {
        staff_id -> BigInt,
        full_name_enc -> Nullable<Binary>,
        shown_as -> Text,
        alias -> Nullable<Text>,
        avatar_kind -> Text,
        avatar_stock -> Nullable<Text>,
        avatar_enc -> Nullable<Binary>,
        avatar_key -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}
