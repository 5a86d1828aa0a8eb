import GRDB

/// The SQLite schema, as append-only numbered migrations.
enum SQLiteSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("0001_ledger") { db in
            try db.execute(
                sql: """
                    CREATE TABLE company (
                        id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, currency TEXT NOT NULL, costing TEXT NOT NULL);
                    CREATE TABLE location (
                        id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, usage TEXT NOT NULL,
                        parent_id INTEGER REFERENCES location(id), warehouse_id INTEGER);
                    CREATE TABLE warehouse (
                        id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, company_id INTEGER NOT NULL REFERENCES company(id),
                        kind TEXT NOT NULL, allow_negative INTEGER NOT NULL, root_location_id INTEGER NOT NULL,
                        stock_location_id INTEGER NOT NULL, qc_location_id INTEGER NOT NULL, transit_location_id INTEGER NOT NULL);
                    CREATE TABLE item (
                        id INTEGER PRIMARY KEY, sku TEXT NOT NULL UNIQUE, lifecycle TEXT NOT NULL, data TEXT NOT NULL);
                    CREATE TABLE lot (
                        id INTEGER PRIMARY KEY, item_id INTEGER NOT NULL, name TEXT NOT NULL, expiry REAL,
                        UNIQUE (item_id, name));
                    CREATE TABLE posting (
                        id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, fingerprint TEXT NOT NULL,
                        result TEXT NOT NULL, item_id INTEGER, company_id INTEGER, actor TEXT NOT NULL, source TEXT NOT NULL,
                        reason TEXT, reference TEXT, created_at REAL NOT NULL);
                    CREATE TABLE move (
                        id INTEGER PRIMARY KEY, posting_id INTEGER NOT NULL, item_id INTEGER NOT NULL, quantity INTEGER NOT NULL,
                        from_id INTEGER NOT NULL, to_id INTEGER NOT NULL, lot_id INTEGER, state TEXT NOT NULL, kind TEXT NOT NULL,
                        planned_at REAL NOT NULL, done_at REAL, reference TEXT, origin_id INTEGER);
                    CREATE INDEX move_item ON move (item_id, id);
                    CREATE INDEX move_open ON move (item_id) WHERE state IN ('draft', 'confirmed', 'assigned');
                    CREATE INDEX move_reference ON move (reference) WHERE reference IS NOT NULL;
                    CREATE INDEX move_posting ON move (posting_id);
                    CREATE INDEX move_origin ON move (origin_id) WHERE origin_id IS NOT NULL;
                    CREATE TABLE quant (
                        item_id INTEGER NOT NULL, location_id INTEGER NOT NULL, lot_id INTEGER NOT NULL,
                        quantity INTEGER NOT NULL, reserved INTEGER NOT NULL, in_sequence INTEGER NOT NULL,
                        PRIMARY KEY (item_id, location_id, lot_id)) WITHOUT ROWID;
                    CREATE TABLE reservation (
                        move_id INTEGER NOT NULL, location_id INTEGER NOT NULL, lot_id INTEGER NOT NULL,
                        quantity INTEGER NOT NULL, PRIMARY KEY (move_id, location_id, lot_id)) WITHOUT ROWID;
                    CREATE TABLE valuation_layer (
                        id INTEGER PRIMARY KEY, company_id INTEGER NOT NULL, item_id INTEGER NOT NULL, scope TEXT NOT NULL,
                        scope_warehouse_id INTEGER NOT NULL, posting_id INTEGER NOT NULL, move_id INTEGER, kind TEXT NOT NULL,
                        quantity INTEGER NOT NULL, value INTEGER NOT NULL, unit_cost INTEGER NOT NULL,
                        remaining_quantity INTEGER NOT NULL, remaining_value INTEGER NOT NULL,
                        short_quantity INTEGER NOT NULL, short_value INTEGER NOT NULL, origin_id INTEGER, shipment_id INTEGER);
                    CREATE INDEX valuation_layer_open ON valuation_layer (item_id, company_id)
                        WHERE remaining_quantity != 0 OR short_quantity != 0;
                    CREATE INDEX valuation_layer_posting ON valuation_layer (posting_id);
                    CREATE TABLE layer_use (
                        posting_id INTEGER NOT NULL, layer_id INTEGER NOT NULL, origin_id INTEGER, quantity INTEGER NOT NULL,
                        value INTEGER NOT NULL, left_stock INTEGER NOT NULL);
                    CREATE INDEX layer_use_origin ON layer_use (origin_id);
                    CREATE TABLE cost (
                        item_id INTEGER NOT NULL, company_id INTEGER NOT NULL, scope TEXT NOT NULL,
                        scope_warehouse_id INTEGER NOT NULL, quantity INTEGER NOT NULL, value INTEGER NOT NULL, unit_cost INTEGER,
                        PRIMARY KEY (item_id, company_id, scope, scope_warehouse_id)) WITHOUT ROWID;
                    CREATE TABLE event (
                        sequence INTEGER PRIMARY KEY AUTOINCREMENT, type TEXT NOT NULL, subject TEXT NOT NULL,
                        payload TEXT NOT NULL, at REAL NOT NULL);
                    """)
            for (path, usage) in SQLiteSchema.virtualLocations {
                try db.execute(sql: "INSERT INTO location (path, usage) VALUES (?, ?)", arguments: [path, usage])
            }
        }
        migrator.registerMigration("0002_access") { db in
            try db.execute(
                sql: """
                    CREATE TABLE api_token (
                        id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, hash TEXT NOT NULL UNIQUE, role TEXT NOT NULL,
                        warehouse TEXT, created_at REAL NOT NULL);
                    ALTER TABLE posting ADD COLUMN token TEXT;
                    ALTER TABLE posting ADD COLUMN request_id TEXT;
                    CREATE INDEX posting_created ON posting (created_at);
                    """)
        }
        migrator.registerMigration("0003_webhooks") { db in
            try db.execute(
                sql: """
                    CREATE TABLE webhook_subscription (
                        id INTEGER PRIMARY KEY, url TEXT NOT NULL, secret TEXT NOT NULL, event_types TEXT, warehouses TEXT,
                        active INTEGER NOT NULL, last_sequence INTEGER NOT NULL, created_at REAL NOT NULL,
                        lease_owner TEXT, lease_until REAL NOT NULL DEFAULT 0);
                    CREATE TABLE webhook_dead_letter (
                        id INTEGER PRIMARY KEY, subscription_id INTEGER NOT NULL, sequence INTEGER NOT NULL,
                        event_type TEXT NOT NULL, body TEXT NOT NULL, attempts INTEGER NOT NULL, last_error TEXT NOT NULL,
                        parked_at REAL NOT NULL);
                    CREATE INDEX webhook_dead_letter_subscription ON webhook_dead_letter (subscription_id, sequence);
                    """)
        }
        migrator.registerMigration("0004_accounting") { db in
            for statement in AccountingSQL.migration(integer: "INTEGER", real: "REAL") {
                try db.execute(sql: statement)
            }
        }
        migrator.registerMigration("0005_request_key") { db in
            try db.execute(sql: RequestKeySQL.table(text: "TEXT", real: "REAL"))
        }
        migrator.registerMigration("0006_book_version") { db in
            try db.execute(sql: "ALTER TABLE item ADD COLUMN book_version INTEGER NOT NULL DEFAULT 0")
        }
        migrator.registerMigration("0007_catalog_version") { db in
            try db.execute(
                sql: """
                    CREATE TABLE counter (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
                    INSERT INTO counter (name, value) VALUES ('catalog', 0);
                    """)
        }
        migrator.registerMigration("0008_orders") { db in
            try db.execute(
                sql: """
                    CREATE TABLE partner (
                        role TEXT NOT NULL, code TEXT NOT NULL, name TEXT NOT NULL, lead_days INTEGER NOT NULL,
                        PRIMARY KEY (role, code)) WITHOUT ROWID;
                    CREATE TABLE order_document (
                        id TEXT PRIMARY KEY, kind TEXT NOT NULL, status TEXT NOT NULL, warehouse_id INTEGER NOT NULL,
                        partner TEXT, created_at REAL NOT NULL, body TEXT NOT NULL);
                    CREATE INDEX order_document_kind ON order_document (kind, created_at);
                    CREATE TABLE order_item (
                        item_id INTEGER NOT NULL, order_id TEXT NOT NULL, kind TEXT NOT NULL,
                        PRIMARY KEY (item_id, order_id)) WITHOUT ROWID;
                    CREATE INDEX order_item_kind ON order_item (kind, item_id);
                    """)
        }
        migrator.registerMigration("0009_routes") { db in
            try db.execute(
                sql: """
                    CREATE TABLE route (
                        from_id INTEGER NOT NULL, to_id INTEGER NOT NULL, lead_days INTEGER NOT NULL,
                        cost INTEGER NOT NULL, PRIMARY KEY (from_id, to_id)) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("0010_web") { db in
            try db.execute(
                sql: """
                    CREATE TABLE web_user (
                        name TEXT PRIMARY KEY, role TEXT NOT NULL, warehouse TEXT, password_hash TEXT NOT NULL,
                        created_at REAL NOT NULL);
                    CREATE TABLE web_session (
                        hash TEXT PRIMARY KEY, user_name TEXT NOT NULL, csrf TEXT NOT NULL, expires_at REAL NOT NULL);
                    """)
        }
        migrator.registerMigration("0011_refused_attempts") { db in
            try db.execute(
                sql: """
                    CREATE TABLE refused_attempt (
                        id INTEGER PRIMARY KEY, at REAL NOT NULL, actor TEXT NOT NULL, source TEXT NOT NULL,
                        action TEXT NOT NULL, code TEXT NOT NULL, detail TEXT NOT NULL);
                    """)
        }
        migrator.registerMigration("0012_item_book") { db in
            // A narrow row per book: a posting bumps it without rewriting the item's document.
            try db.execute(
                sql: """
                    CREATE TABLE item_book (item_id INTEGER PRIMARY KEY, version INTEGER NOT NULL);
                    INSERT INTO item_book (item_id, version) SELECT id, book_version FROM item;
                    ALTER TABLE item DROP COLUMN book_version;
                    """)
        }
        return migrator
    }

    static let virtualLocations: [(String, String)] = [
        ("Partners", "view"), ("Partners/Suppliers", "supplier"), ("Partners/Customers", "customer"),
        ("Virtual", "view"), ("Virtual/Production", "production"), ("Virtual/Scrap", "scrap"),
        ("Virtual/Inventory adjustment", "adjustment"), ("Transit", "view"),
    ]
}
