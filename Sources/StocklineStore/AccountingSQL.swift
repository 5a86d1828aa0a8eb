import StocklineCore

/// SQL the accounting features share between the SQLite and PostgreSQL stores: standard SQL with named parameters
/// (`:at`), which the PostgreSQL store rewrites to positional ones.
enum AccountingSQL {
    /// The counterpart account of a layer, from its own kind or its posting's kind (for ledgers posted before the
    /// journal existed).
    /// The counterpart account of each operation kind as migration 0004 shipped it: frozen text, so that a later
    /// change of `OperationKind.counterpartAccount` cannot change what an old ledger's migration does.
    static let accountOfPostingKind = """
        CASE p.kind WHEN 'receive' THEN 'goods_received_not_invoiced' WHEN 'deliver' THEN 'cost_of_goods_sold' \
        WHEN 'ship' THEN 'cost_of_goods_sold' WHEN 'count' THEN 'inventory_adjustment' \
        WHEN 'adjust' THEN 'inventory_adjustment' WHEN 'scrap' THEN 'scrap' \
        WHEN 'return_from_customer' THEN 'cost_of_goods_sold' WHEN 'return_to_supplier' THEN 'goods_received_not_invoiced' \
        WHEN 'reject' THEN 'scrap' WHEN 'landed_cost' THEN 'landed_cost_clearing' WHEN 'consume' THEN 'production' \
        WHEN 'produce' THEN 'production' WHEN 'set_cost' THEN 'price_difference' END
        """

    static let accountOfLayer = """
        CASE
            WHEN v.kind = 'landed_cost' THEN 'landed_cost_clearing'
            WHEN v.kind = 'revaluation' THEN 'price_difference'
            ELSE coalesce(\(accountOfPostingKind), CASE WHEN v.kind = 'correction' THEN 'inventory_adjustment' END)
        END
        """

    /// Adds the counterpart accounts and the journal, and books the journal of every posting made before.
    static func migration(integer: String, real: String) -> [String] {
        [
            "ALTER TABLE valuation_layer ADD COLUMN account TEXT",
            "ALTER TABLE layer_use ADD COLUMN account TEXT",
            """
            CREATE TABLE journal_line (
                posting_id \(integer) NOT NULL, line \(integer) NOT NULL, company_id \(integer) NOT NULL,
                item_id \(integer) NOT NULL, warehouse_id \(integer), role TEXT NOT NULL, amount \(integer) NOT NULL,
                at \(real) NOT NULL, PRIMARY KEY (posting_id, line))
            """,
            "CREATE INDEX journal_line_at ON journal_line (at)",
            "CREATE INDEX journal_line_company ON journal_line (company_id, role)",
            """
            CREATE TABLE account_mapping (
                company_id \(integer) NOT NULL, category TEXT NOT NULL, role TEXT NOT NULL, account TEXT NOT NULL,
                PRIMARY KEY (company_id, category, role))
            """,
            """
            UPDATE valuation_layer AS v SET account = (SELECT \(accountOfLayer) FROM posting p WHERE p.id = v.posting_id)
            """,
            """
            UPDATE layer_use SET account = (SELECT \(accountOfPostingKind) FROM posting p
                WHERE p.id = layer_use.posting_id)
            """,
            """
            INSERT INTO journal_line (posting_id, line, company_id, item_id, warehouse_id, role, amount, at)
            SELECT v.posting_id, 2 * v.id, v.company_id, v.item_id,
                CASE WHEN v.scope = 'company' THEN NULL ELSE v.scope_warehouse_id END,
                CASE WHEN v.scope = 'transit' THEN 'transit' ELSE 'stock_valuation' END, v.value, p.created_at
            FROM valuation_layer v JOIN posting p ON p.id = v.posting_id WHERE v.value != 0
            """,
            """
            INSERT INTO journal_line (posting_id, line, company_id, item_id, warehouse_id, role, amount, at)
            SELECT v.posting_id, 2 * v.id + 1, v.company_id, v.item_id,
                CASE WHEN v.scope = 'company' THEN NULL ELSE v.scope_warehouse_id END, v.account, -v.value, p.created_at
            FROM valuation_layer v JOIN posting p ON p.id = v.posting_id WHERE v.value != 0 AND v.account IS NOT NULL
            """,
        ]
    }

    /// Per company and stock account: what the layers, the journal and the cost figures say.
    static let reconciliation = """
        WITH layered AS (
            SELECT company_id, CASE WHEN scope = 'transit' THEN 'transit' ELSE 'stock_valuation' END AS role,
                CAST(sum(value) AS BIGINT) AS amount
            FROM valuation_layer GROUP BY company_id, CASE WHEN scope = 'transit' THEN 'transit' ELSE 'stock_valuation' END),
        booked AS (
            SELECT company_id, role, CAST(sum(amount) AS BIGINT) AS amount FROM journal_line
            WHERE role IN ('stock_valuation', 'transit') GROUP BY company_id, role),
        held AS (
            SELECT company_id, 'transit' AS role, CAST(sum(value) AS BIGINT) AS amount FROM cost
            WHERE scope = 'transit' GROUP BY company_id
            UNION ALL
            SELECT company_id, 'stock_valuation',
                CAST(sum(CASE WHEN scope = 'company' THEN value WHEN scope = 'transit' THEN -value ELSE 0 END) AS BIGINT)
            FROM cost GROUP BY company_id),
        keys AS (
            SELECT company_id, role FROM layered UNION SELECT company_id, role FROM booked
            UNION SELECT company_id, role FROM held)
        SELECT k.company_id, k.role, CAST(coalesce(l.amount, 0) AS BIGINT) AS layered,
            CAST(coalesce(b.amount, 0) AS BIGINT) AS booked, CAST(coalesce(h.amount, 0) AS BIGINT) AS held
        FROM keys k
        LEFT JOIN layered l ON l.company_id = k.company_id AND l.role = k.role
        LEFT JOIN booked b ON b.company_id = k.company_id AND b.role = k.role
        LEFT JOIN held h ON h.company_id = k.company_id AND h.role = k.role
        ORDER BY k.company_id, k.role
        """

    /// Journal entries (a posting's lines in one company) that do not balance.
    static let unbalancedEntries = """
        SELECT j.posting_id, p.key, j.company_id, CAST(sum(j.amount) AS BIGINT) AS balance
        FROM journal_line j JOIN posting p ON p.id = j.posting_id
        GROUP BY j.posting_id, p.key, j.company_id HAVING sum(j.amount) != 0 ORDER BY j.posting_id
        """

    /// Balance per company, item and account role over the whole journal, with the newest event sequence the same
    /// statement saw: events are numbered in commit order, so the journal seen is exactly that of the events up to it.
    static let balancesWithSequence = """
        SELECT company_id, item_id, role, CAST(sum(amount) AS BIGINT) AS amount,
            (SELECT coalesce(max(sequence), 0) FROM event) AS sequence
        FROM journal_line GROUP BY company_id, item_id, role
        """

    /// Balance per company, item, warehouse (0: company-wide) and account role up to `:at`.
    static let balancesAt = """
        SELECT company_id, item_id, coalesce(warehouse_id, 0) AS warehouse_id, role,
            CAST(sum(amount) AS BIGINT) AS amount
        FROM journal_line WHERE at <= :at
        GROUP BY company_id, item_id, coalesce(warehouse_id, 0), role
        """

    /// Quantity per item and location after the moves done up to `:at`.
    static let quantitiesAt = """
        SELECT item_id, location_id, CAST(sum(quantity) AS BIGINT) AS quantity FROM (
            SELECT item_id, to_id AS location_id, quantity FROM move WHERE state = 'done' AND done_at <= :at
            UNION ALL
            SELECT item_id, from_id AS location_id, -quantity FROM move WHERE state = 'done' AND done_at <= :at
        ) AS entry GROUP BY item_id, location_id HAVING sum(quantity) != 0
        """

    /// Receipt layers with units still in stock, with the time their units were first received.
    static let openReceipts = """
        SELECT v.company_id, v.item_id, v.scope, v.scope_warehouse_id, v.remaining_quantity, v.remaining_value,
            p.created_at AS received_at, k.unit_cost AS figure
        FROM valuation_layer v JOIN valuation_layer o ON o.id = coalesce(v.origin_id, v.id)
        JOIN posting p ON p.id = o.posting_id
        LEFT JOIN cost k ON k.item_id = v.item_id AND k.company_id = v.company_id AND k.scope = 'company'
        WHERE v.kind = 'in' AND v.remaining_quantity > 0
        """

    /// Journal lines in a time window, optionally of one company, after a posting id, in posting order.
    /// Without dates the query has no condition on `at`, so the planner reads from `:after` along the primary key
    /// instead of every line by the date index.
    static func journal(dated: Bool) -> String {
        """
        SELECT j.posting_id, j.line, j.company_id, j.item_id, j.warehouse_id, j.role, j.amount, j.at, p.key, p.kind
        FROM journal_line j JOIN posting p ON p.id = j.posting_id
        WHERE \(dated ? "j.at >= :from AND j.at < :to AND " : "")(:company = 0 OR j.company_id = :company)
            AND j.posting_id > :after
        ORDER BY j.posting_id, j.line
        """
    }

}

extension AccountingSQL {
    static func unbalanced(key: String, balance: Money) -> String {
        "journal: the entry of posting \(key) does not balance: debits exceed credits by \(balance)"
    }

    static func disagreement(_ row: AccountReconciliation, company: String) -> String {
        "value: \(company) \(row.role.rawValue): layers hold \(row.layered), the journal \(row.booked), "
            + "stock figures \(row.held)"
    }
}
