//! One hand-written schema for both backends (they share column types). Split by concept:
//! staff accounts, roles, audit and second factors in `accounts`.

mod accounts;
pub use accounts::*;

diesel::table! {
    staff (id) {
        id -> BigInt,
        username -> Text,
        email_enc -> Nullable<Binary>,
        email_index -> Nullable<Binary>,
        role_id -> BigInt,
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
        client_label -> Nullable<Text>,
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

diesel::table! {
    widgets (id) {
        id -> BigInt,
        public_id -> Text,
        name -> Text,
        allowed_origins -> Text,
        greeting -> Text,
        accent_color -> Text,
        position -> Text,
        default_lang -> Text,
        typing_preview -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        team_id -> BigInt,
    }
}

diesel::table! {
    conversations (id) {
        id -> BigInt,
        widget_id -> BigInt,
        token_hash -> Binary,
        status -> Text,
        offline -> Bool,
        operator_id -> Nullable<BigInt>,
        visitor_name_enc -> Nullable<Binary>,
        visitor_email_enc -> Nullable<Binary>,
        last_seq -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        closed_at -> Nullable<Timestamp>,
        contact_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    messages (id) {
        id -> BigInt,
        conversation_id -> BigInt,
        seq -> BigInt,
        sender -> Text,
        staff_id -> Nullable<BigInt>,
        client_id -> Nullable<Text>,
        body_enc -> Binary,
        created_at -> Timestamp,
    }
}

diesel::table! {
    canned_responses (id) {
        id -> BigInt,
        shortcut -> Text,
        body -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(conversations -> widgets (widget_id));
diesel::joinable!(messages -> conversations (conversation_id));
diesel::allow_tables_to_appear_in_same_query!(
    widgets,
    conversations,
    messages,
    canned_responses,
    staff
);

// Widget router (helper ROUTER): admin-made rules only, never visitor input.
diesel::table! {
    route_rules (id) {
        id -> BigInt,
        position -> BigInt,
        url_kind -> Text,
        url_pattern -> Text,
        ua_contains -> Text,
        device -> Text,
        lang -> Text,
        country -> Text,
        target_widget_id -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

// Consent and privacy mode (helper CONSENT).
diesel::table! {
    widget_privacy (widget_id) {
        widget_id -> BigInt,
        privacy_policy_url -> Text,
        decline_contact -> Text,
        privacy_mode -> Bool,
        identity_recognition -> Bool,
        resumable_id -> Bool,
        withdrawal_policy -> Text,
        // Months a conversation is kept after its last activity; 0: never deleted (helper RETENTION).
        retention_months -> Integer,
    }
}

diesel::table! {
    widget_notices (widget_id, lang) {
        widget_id -> BigInt,
        lang -> Text,
        text -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    consents (id) {
        id -> BigInt,
        widget_id -> BigInt,
        conversation_id -> BigInt,
        notice_hash -> Text,
        notice_version -> Text,
        lang -> Text,
        given_at -> Timestamp,
        withdrawn_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    conversation_meta (conversation_id) {
        conversation_id -> BigInt,
        ip_enc -> Nullable<Binary>,
        ip_expires_at -> Nullable<Timestamp>,
        user_agent_enc -> Nullable<Binary>,
        browser_enc -> Nullable<Binary>,
        os_enc -> Nullable<Binary>,
        country_enc -> Nullable<Binary>,
        page_url_enc -> Nullable<Binary>,
        referrer_enc -> Nullable<Binary>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(widget_privacy -> widgets (widget_id));
diesel::joinable!(widget_notices -> widgets (widget_id));
diesel::allow_tables_to_appear_in_same_query!(widgets, widget_privacy);
diesel::joinable!(consents -> conversations (conversation_id));
diesel::joinable!(conversation_meta -> conversations (conversation_id));

// Data masking (helper MASKING): what a widget masks; no row means the defaults.
diesel::table! {
    widget_masking (widget_id) {
        widget_id -> BigInt,
        mask_cards -> Bool,
        mask_ibans -> Bool,
        patterns -> Text,
        updated_at -> Timestamp,
    }
}

// In-chat self-service and identity recognition (helper SELF-SERVICE).
diesel::table! {
    contacts (id) {
        id -> BigInt,
        email_enc -> Binary,
        name_enc -> Nullable<Binary>,
        email_blind -> Binary,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        phone_enc -> Nullable<Binary>,
        customer_id_enc -> Nullable<Binary>,
    }
}

diesel::table! {
    erasure_journal (id) {
        id -> BigInt,
        conversation_id -> BigInt,
        widget_id -> BigInt,
        contact_id -> Nullable<BigInt>,
        action -> Text,
        erased_at -> Timestamp,
    }
}

diesel::joinable!(conversations -> contacts (contact_id));
diesel::allow_tables_to_appear_in_same_query!(contacts, conversations);

// Server-wide settings made in the admin UI; each key parsed by the module that owns it.
diesel::table! {
    app_settings (key) {
        key -> Text,
        value -> Text,
        updated_at -> Timestamp,
    }
}

// Register of data-subject requests (helper DSR).
diesel::table! {
    dsr_requests (id) {
        id -> BigInt,
        kind -> Text,
        channel -> Text,
        received_at -> Timestamp,
        due_on -> Date,
        extension_months -> Integer,
        extension_reason_enc -> Nullable<Binary>,
        status -> Text,
        refusal_reason_enc -> Nullable<Binary>,
        handler_id -> Nullable<BigInt>,
        subject_enc -> Nullable<Binary>,
        contact_id -> Nullable<BigInt>,
        notes_enc -> Nullable<Binary>,
        answered_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    dsr_actions (id) {
        id -> BigInt,
        request_id -> BigInt,
        action -> Text,
        object_kind -> Text,
        object_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::joinable!(dsr_actions -> dsr_requests (request_id));
diesel::allow_tables_to_appear_in_same_query!(dsr_requests, dsr_actions);

// Search over encrypted personal fields, and conversation tags (helper SEARCH).
// person_index has no key of its own; (kind, blind) is what it is looked up by.
diesel::table! {
    person_index (kind, blind) {
        kind -> Text,
        blind -> Binary,
        conversation_id -> Nullable<BigInt>,
        contact_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    conversation_tags (conversation_id, tag) {
        conversation_id -> BigInt,
        tag -> Text,
    }
}

// Pairs, not a group: a group would repeat pairs declared above (a conflicting impl).
diesel::allow_tables_to_appear_in_same_query!(person_index, conversation_tags);
diesel::allow_tables_to_appear_in_same_query!(person_index, conversations);
diesel::allow_tables_to_appear_in_same_query!(person_index, contacts);
diesel::allow_tables_to_appear_in_same_query!(person_index, widgets);
diesel::allow_tables_to_appear_in_same_query!(conversation_tags, conversations);
diesel::allow_tables_to_appear_in_same_query!(conversation_tags, contacts);
diesel::allow_tables_to_appear_in_same_query!(conversation_tags, widgets);

// Reason required per role (helper AUDIT7)
diesel::table! {
    role_reason_required (role_id) {
        role_id -> BigInt,
        required -> Bool,
        updated_at -> Timestamp,
    }
}

// Runs of scheduled jobs, and each job's claim while it runs (helper RETENTION).
diesel::table! {
    job_runs (id) {
        id -> BigInt,
        job -> Text,
        cause -> Text,
        due_at -> Timestamp,
        started_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
        lease_until -> Timestamp,
        node -> Text,
        status -> Text,
        removed -> Text,
        error -> Nullable<Text>,
    }
}

// Backups made and their verify results (helper BACKUP).
diesel::table! {
    backup_runs (id) {
        id -> BigInt,
        file_name -> Text,
        created_at -> Timestamp,
        size_bytes -> BigInt,
        backend -> Text,
        cause -> Text,
        ok -> Bool,
        error -> Nullable<Text>,
        verified_at -> Nullable<Timestamp>,
        verify_ok -> Nullable<Bool>,
        verify_message -> Nullable<Text>,
    }
}

// Four-eyes approval of exports and bulk deletions; the per-role flag (helper FOUREYES).
diesel::table! {
    approvals (id) {
        id -> BigInt,
        kind -> Text,
        requester_id -> BigInt,
        params_enc -> Binary,
        conversations -> BigInt,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        status -> Text,
        approver_id -> Nullable<BigInt>,
        decided_at -> Nullable<Timestamp>,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    role_four_eyes (role_id) {
        role_id -> BigInt,
        required -> Bool,
        updated_at -> Timestamp,
    }
}
