import Mustache

/// The pages' templates, compiled into the binary so the web app needs no files beside it. `{{x}}` escapes HTML;
/// `{{{x}}}` is only used for markup the app renders itself (the SVG charts).
enum Templates {
    static func library() throws -> MustacheLibrary {
        var library = MustacheLibrary()
        for (name, text) in all { try library.register(text, named: name) }
        return library
    }

    static let all: [(String, String)] = [
        ("layout", layout), ("login", login), ("overview", overview), ("item", item), ("orders", orders),
        ("order", order), ("problem", problem), ("finance", finance), ("search", search), ("audit", audit),
        ("changes", changes),
    ]

    static let layout = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · Stockline</title>
        <link rel="stylesheet" href="/static/app.css">
        <script src="/static/live.js" defer></script>
        </head>
        <body {{#liveAfter}}data-live="{{liveAfter}}"{{/liveAfter}}>
        <header class="bar">
          <a class="brand" href="/">Stockline</a>
          {{#user}}
          <nav aria-label="Main">
            <a href="/" {{#overview}}aria-current="page"{{/overview}}>Overview</a>
            <a href="/orders" {{#ordersPage}}aria-current="page"{{/ordersPage}}>Orders</a>
            {{#accounting}}<a href="/finance" {{#financePage}}aria-current="page"{{/financePage}}>Finance</a>{{/accounting}}
            <a href="/changes" {{#changesPage}}aria-current="page"{{/changesPage}}>Changes</a>
            {{#auditor}}<a href="/audit" {{#auditPage}}aria-current="page"{{/auditPage}}>Audit</a>{{/auditor}}
            <a href="/scan/">Scanner</a>
          </nav>
          <form class="search" action="/search" method="get" role="search">
            <label for="q" class="hidden">Search by SKU, GTIN, lot, serial, order or location</label>
            <input id="q" name="q" placeholder="SKU, GTIN, lot, order, location" value="{{query}}">
          </form>
          <form class="signout" action="/logout" method="post">
            <input type="hidden" name="csrf" value="{{csrf}}">
            <span class="who">{{name}} · {{role}}{{#warehouse}} · {{warehouse}}{{/warehouse}}</span>
            <button type="submit">Sign out</button>
          </form>
          {{/user}}
        </header>
        <main>
        {{$content}}{{/content}}
        </main>
        </body>
        </html>
        """

    static let login = """
        {{<layout}}{{$content}}
        <section class="login">
          <h1>Sign in</h1>
          {{#error}}<p class="error" role="alert">{{error}}</p>{{/error}}
          <form action="/login" method="post">
            <input type="hidden" name="csrf" value="{{loginCSRF}}">
            {{#next}}<input type="hidden" name="next" value="{{next}}">{{/next}}
            <label for="name">Name</label>
            <input id="name" name="name" autocomplete="username" required value="{{name}}">
            <label for="password">Password</label>
            <input id="password" name="password" type="password" autocomplete="current-password" required>
            <button type="submit">Sign in</button>
          </form>
        </section>
        {{/content}}{{/layout}}
        """

    static let overview = """
        {{<layout}}{{$content}}
        <h1>Overview{{#scope}} <small>{{scope}}</small>{{/scope}}</h1>
        {{#shortcuts}}<p class="shortcuts">{{#links}}<a class="button" href="{{href}}">{{label}}</a> {{/links}}</p>{{/shortcuts}}
        <section class="tiles" aria-label="Totals">
          {{#totals}}
          <div class="tile wide"><span class="label">Stock value</span><span class="figure" id="total-value">{{value}}</span></div>
          <div class="tile"><span class="label">On hand (units)</span><span class="figure">{{onHand}}</span></div>
          <div class="tile"><span class="label">Available</span><span class="figure">{{available}}</span></div>
          <div class="tile"><span class="label">Reserved</span><span class="figure">{{reserved}}</span></div>
          <div class="tile"><span class="label">Blocked</span><span class="figure">{{blocked}}</span></div>
          <div class="tile"><span class="label">In transit</span><span class="figure">{{inTransit}}</span></div>
          <div class="tile"><span class="label">Incoming</span><span class="figure">{{incoming}}</span></div>
          {{/totals}}
        </section>
        <h2>Needs attention</h2>
        <section class="tiles attention" aria-label="Needs attention" id="attention">
          {{#attention}}
          <a class="tile{{#overdueHot}} hot{{/overdueHot}}" href="/orders?today={{today}}#purchase-orders"><span class="label">Overdue receipt lines</span><span class="figure" id="overdue-lines">{{overdue}}</span></a>
          <a class="tile{{#backordersHot}} hot{{/backordersHot}}" href="/orders?today={{today}}#sales-orders"><span class="label">Backordered sales lines</span><span class="figure" id="backorder-lines">{{backorders}}</span></a>
          <a class="tile{{#shortfallsHot}} hot{{/shortfallsHot}}" href="/orders?today={{today}}#production-orders"><span class="label">Component shortfalls</span><span class="figure" id="shortfall-lines">{{shortfalls}}</span></a>
          <div class="tile{{#negativeHot}} hot{{/negativeHot}}"><span class="label">Items below zero</span><span class="figure" id="negative-items">{{negative}}</span></div>
          {{/attention}}
        </section>
        <h2>By warehouse</h2>
        <table class="grid" id="warehouses">
          <thead><tr><th>Company</th><th>Warehouse</th><th>Kind</th><th>Items</th><th>On hand</th><th>Available</th>
          <th>Reserved</th><th>Blocked</th><th>In transit</th><th>Incoming</th><th>Outgoing</th><th>Value</th>
          <th>Attention</th></tr></thead>
          <tbody>
          {{#warehouses}}
          <tr data-warehouse="{{warehouse}}"><td>{{company}}</td><td>{{warehouse}}</td><td>{{kind}}</td>
          <td class="n">{{items}}</td><td class="n">{{onHand}}</td><td class="n">{{available}}</td>
          <td class="n">{{reserved}}</td><td class="n">{{blocked}}</td><td class="n">{{inTransit}}</td>
          <td class="n">{{incoming}}</td><td class="n">{{outgoing}}</td><td class="n value">{{value}}</td>
          <td>{{#flags}}<span class="flag">{{flags}}</span>{{/flags}}</td></tr>
          {{/warehouses}}
          </tbody>
        </table>
        {{/content}}{{/layout}}
        """

    static let item = """
        {{<layout}}{{$content}}
        <h1>{{sku}} <small>{{name}}</small></h1>
        <p class="meta">{{unit}} · {{tracking}} · {{lifecycle}}{{#successors}} · superseded by
          {{#chain}}<a class="successor" href="/items/{{sku}}">{{sku}}</a>{{#then}} → {{/then}}{{/chain}}{{/successors}}</p>
        <h2>Stock by warehouse</h2>
        <table class="grid" id="positions">
          <thead><tr><th>Warehouse</th><th>On hand</th><th>Available</th><th>Reserved</th><th>Blocked</th>
          <th>In transit</th><th>Incoming</th><th>Outgoing</th><th>Value</th><th>Unit cost</th></tr></thead>
          <tbody>
          {{#positions}}
          <tr data-warehouse="{{warehouse}}"><td><a href="/items/{{sku}}?at={{warehouse}}">{{warehouse}}</a></td>
          <td class="n on-hand">{{onHand}}</td><td class="n available">{{available}}</td><td class="n">{{reserved}}</td>
          <td class="n">{{blocked}}</td><td class="n">{{inTransit}}</td><td class="n">{{incoming}}</td>
          <td class="n">{{outgoing}}</td><td class="n">{{value}}</td><td class="n">{{unitCost}}</td></tr>
          {{/positions}}
          </tbody>
        </table>
        {{#receive}}
        <form class="receive" action="/items/{{sku}}/receive" method="post" aria-label="Receive">
          <input type="hidden" name="csrf" value="{{csrf}}">
          <input type="hidden" name="key" value="{{key}}">
          <label for="receive-warehouse">Receive at</label>
          <select id="receive-warehouse" name="warehouse">{{#warehouses}}<option value="{{code}}" {{#selected}}selected{{/selected}}>{{code}}</option>{{/warehouses}}</select>
          <label for="receive-qty">Quantity</label>
          <input id="receive-qty" name="qty" inputmode="decimal" required size="6">
          <label for="receive-cost">Unit cost</label>
          <input id="receive-cost" name="unit_cost" inputmode="decimal" required size="6">
          <button type="submit">Receive</button>
        </form>
        {{/receive}}
        {{#stock}}
        <h2>Stock by location and lot</h2>
        <table class="grid" id="stock">
          <thead><tr><th>Location</th><th>Lot / serial</th><th>Expiry</th><th>On hand</th><th>Reserved</th></tr></thead>
          <tbody>
          {{#rows}}<tr><td>{{location}}</td><td>{{lot}}</td><td>{{expiry}}{{#expired}} <span class="late">expired</span>{{/expired}}</td>
          <td class="n">{{quantity}}</td><td class="n">{{reserved}}</td></tr>{{/rows}}
          </tbody>
        </table>
        {{/stock}}
        {{#timeline}}
        <h2>Projected free stock at {{warehouse}}</h2>
        <figure class="chart">{{{chart}}}<figcaption>P(t) from today: on hand less blocked and reserved, plus supply
          and less unreserved demand by each day.</figcaption></figure>
        <table class="grid" id="timeline">
          <thead><tr><th>Date</th><th>Change</th><th>Kind</th><th>Document</th></tr></thead>
          <tbody>
          {{#entries}}<tr><td>{{date}}{{#late}} <span class="late">due {{late}}</span>{{/late}}</td>
          <td class="n">{{quantity}}</td><td>{{kind}}</td><td><a href="/orders/{{document}}">{{document}}</a></td></tr>
          {{/entries}}
          </tbody>
        </table>
        {{/timeline}}
        {{#layers}}
        <h2>Open cost layers</h2>
        <table class="grid" id="layers">
          <thead><tr><th>Company</th><th>Where</th><th>Posting</th><th>Kind</th><th>Remaining</th><th>Unit cost</th><th>Value</th></tr></thead>
          <tbody>
          {{#rows}}<tr><td>{{company}}</td><td>{{scope}}</td><td class="n">{{posting}}</td><td>{{kind}}</td>
          <td class="n">{{remaining}}</td><td class="n">{{unitCost}}</td><td class="n">{{value}}</td></tr>{{/rows}}
          </tbody>
        </table>
        {{/layers}}
        <h2>Latest moves</h2>
        <table class="grid" id="moves">
          <thead><tr><th>Date</th><th>Kind</th><th>State</th><th>Quantity</th><th>From</th><th>To</th><th>Reference</th></tr></thead>
          <tbody>
          {{#moves}}<tr><td>{{date}}</td><td>{{kind}}</td><td>{{state}}</td><td class="n">{{quantity}}</td><td>{{from}}</td>
          <td>{{to}}</td><td>{{reference}}</td></tr>{{/moves}}
          </tbody>
        </table>
        {{/content}}{{/layout}}
        """

    static let orders = """
        {{<layout}}{{$content}}
        <h1>Orders</h1>
        <p class="meta">As of {{today}}.</p>
        {{#kinds}}
        <h2>{{title}}</h2>
        <table class="grid" id="{{id}}">
          <thead><tr><th>Order</th><th>Status</th><th>Partner</th><th>Warehouse</th><th>Created</th><th>Due</th>
          <th>Open</th><th>Attention</th></tr></thead>
          <tbody>
          {{#orders}}<tr><td><a href="/orders/{{id}}">{{id}}</a></td><td>{{status}}</td><td>{{partner}}</td>
          <td>{{warehouse}}</td><td>{{created}}</td><td>{{due}}</td><td class="n">{{open}}</td>
          <td>{{#attention}}<span class="flag">{{attention}}</span>{{/attention}}</td></tr>{{/orders}}
          {{^orders}}<tr><td colspan="8">None.</td></tr>{{/orders}}
          </tbody>
        </table>
        {{/kinds}}
        {{/content}}{{/layout}}
        """

    static let order = """
        {{<layout}}{{$content}}
        <h1>{{kind}} order {{id}} <small class="status">{{status}}</small></h1>
        <p class="meta">{{#partner}}{{partner}} · {{/partner}}{{warehouse}} · created {{created}}{{#due}} · due {{due}}{{/due}}</p>
        <table class="grid" id="lines">
          <thead><tr><th>SKU</th><th>Ordered</th><th>Done</th><th>Open</th><th>Reserved</th><th>Backorder</th>
          <th>Shortfall</th><th>Expected</th><th></th></tr></thead>
          <tbody>
          {{#lines}}<tr><td><a href="/items/{{sku}}">{{sku}}</a></td><td class="n">{{ordered}}</td><td class="n">{{done}}</td>
          <td class="n">{{open}}</td><td class="n">{{reserved}}</td><td class="n">{{backorder}}</td>
          <td class="n">{{shortfall}}</td><td>{{expected}}</td><td>{{#overdue}}<span class="flag">overdue</span>{{/overdue}}</td></tr>
          {{/lines}}
          </tbody>
        </table>
        {{/content}}{{/layout}}
        """

    static let finance = """
        {{<layout}}{{$content}}
        <h1>Finance</h1>
        <h2>Stock accounts</h2>
        <table class="grid" id="reconciliation">
          <thead><tr><th>Company</th><th>Account</th><th>Role</th><th>Valuation layers</th><th>Journal</th>
          <th>Stock value</th><th></th></tr></thead>
          <tbody>
          {{#accounts}}<tr><td>{{company}}</td><td>{{account}}</td><td>{{role}}</td><td class="n">{{layered}}</td>
          <td class="n">{{booked}}</td><td class="n">{{held}}</td>
          <td>{{#agrees}}agrees{{/agrees}}{{^agrees}}<span class="flag">differs</span>{{/agrees}}</td></tr>{{/accounts}}
          </tbody>
        </table>
        <h2>Account balances</h2>
        <table class="grid" id="balances">
          <thead><tr><th>Company</th><th>Account</th><th>Role</th><th>Balance</th></tr></thead>
          <tbody>
          {{#balances}}<tr><td>{{company}}</td><td>{{account}}</td><td>{{role}}</td><td class="n">{{balance}}</td></tr>{{/balances}}
          </tbody>
        </table>
        <h2>Stock value by age</h2>
        <table class="grid" id="aging">
          <thead><tr><th>Company</th><th>Age (days)</th><th>Quantity</th><th>Value</th></tr></thead>
          <tbody>
          {{#aging}}<tr><td>{{company}}</td><td>{{age}}</td><td class="n">{{quantity}}</td><td class="n">{{value}}</td></tr>{{/aging}}
          </tbody>
        </table>
        <h2>Journal</h2>
        {{#filter}}
        <form class="filter" action="/finance" method="get" aria-label="Filter the journal">
          <label for="j-from">From</label><input id="j-from" name="from" type="date" value="{{from}}">
          <label for="j-to">To</label><input id="j-to" name="to" type="date" value="{{to}}">
          <label for="j-company">Company</label>
          <select id="j-company" name="company"><option value="">all</option>{{#companies}}<option value="{{code}}" {{#selected}}selected{{/selected}}>{{code}}</option>{{/companies}}</select>
          <label for="j-account">Account</label><input id="j-account" name="account" size="8" value="{{account}}">
          <label for="j-sku">SKU</label><input id="j-sku" name="sku" size="10" value="{{sku}}">
          <button type="submit">Filter</button>{{#filtered}} <a href="/finance">clear</a>{{/filtered}}
        </form>
        {{/filter}}
        <p class="meta">Newest first: {{shown}} lines{{^filter.filtered}} of the newest 500 postings{{/filter.filtered}}.</p>
        <table class="grid" id="journal">
          <thead><tr><th>Date</th><th>Posting</th><th>Kind</th><th>Company</th><th>Account</th><th>SKU</th>
          <th>Warehouse</th><th>Debit</th><th>Credit</th></tr></thead>
          <tbody>
          {{#journal}}<tr><td>{{date}}</td><td>{{posting}}</td><td>{{kind}}</td><td>{{company}}</td><td>{{account}}</td>
          <td><a href="/items/{{sku}}">{{sku}}</a></td><td>{{warehouse}}</td><td class="n">{{debit}}</td>
          <td class="n">{{credit}}</td></tr>{{/journal}}
          </tbody>
        </table>
        {{/content}}{{/layout}}
        """

    static let search = """
        {{<layout}}{{$content}}
        <h1>Search: {{query}}</h1>
        {{#hits}}
        <table class="grid" id="results">
          <thead><tr><th>Found</th><th>What</th><th></th></tr></thead>
          <tbody>
          {{#rows}}<tr><td>{{kind}}</td><td><a href="{{href}}">{{label}}</a></td><td>{{text}}</td></tr>{{/rows}}
          </tbody>
        </table>
        {{/hits}}
        {{^hits}}<p class="error" role="alert">Nothing found for {{query}}. Search by SKU, GTIN, lot or serial number, order
          or location.</p>{{/hits}}
        {{/content}}{{/layout}}
        """

    static let changes = """
        {{<layout}}{{$content}}
        <h1>Changes</h1>
        <p class="meta">The changes feed as connected systems receive it (<code>/v1/events</code>, webhooks), newest
          first; this page follows it live.</p>
        <form class="filter" action="/changes" method="get" aria-label="Filter by type">
          <label for="c-type">Type</label>
          <select id="c-type" name="type"><option value="">all</option>{{#types}}<option value="{{name}}" {{#selected}}selected{{/selected}}>{{name}}</option>{{/types}}</select>
          <button type="submit">Filter</button>{{#type}} <a href="/changes">clear</a>{{/type}}
        </form>
        <table class="grid" id="changes">
          <thead><tr><th>#</th><th>At (UTC)</th><th>Type</th><th>Subject</th><th>Details</th></tr></thead>
          <tbody>
          {{#events}}<tr data-sequence="{{sequence}}"><td class="n">{{sequence}}</td><td>{{at}}</td><td>{{type}}</td>
          <td>{{subject}}</td><td>{{details}}</td></tr>{{/events}}
          </tbody>
        </table>
        {{/content}}{{/layout}}
        """

    static let audit = """
        {{<layout}}{{$content}}
        <h1>Audit</h1>
        <form class="filter" action="/audit" method="get" aria-label="Filter by user">
          <label for="a-actor">User</label><input id="a-actor" name="actor" value="{{actor}}">
          <button type="submit">Filter</button>{{#actor}} <a href="/audit">clear</a>{{/actor}}
        </form>
        <h2>Refused attempts</h2>
        <table class="grid" id="refusals">
          <thead><tr><th>At (UTC)</th><th>User</th><th>From</th><th>Request</th><th>Code</th><th>What happened</th></tr></thead>
          <tbody>
          {{#refusals}}<tr><td>{{at}}</td><td>{{actor}}</td><td>{{source}}</td><td>{{action}}</td>
          <td><span class="flag">{{code}}</span></td><td>{{detail}}</td></tr>{{/refusals}}
          </tbody>
        </table>
        <h2>Newest postings</h2>
        <table class="grid" id="entries">
          <thead><tr><th>At (UTC)</th><th>Posting</th><th>Kind</th><th>SKU</th><th>User</th><th>From</th><th>Key</th></tr></thead>
          <tbody>
          {{#entries}}<tr><td>{{at}}</td><td class="n">{{posting}}</td><td>{{kind}}</td>
          <td>{{#sku}}<a href="/items/{{sku}}">{{sku}}</a>{{/sku}}</td><td>{{actor}}</td><td>{{source}}</td><td>{{key}}</td></tr>{{/entries}}
          </tbody>
        </table>
        {{/content}}{{/layout}}
        """

    static let problem = """
        {{<layout}}{{$content}}
        <h1>{{heading}}</h1>
        <p class="error" role="alert">{{detail}}</p>
        <p><a href="/">Back to the overview</a></p>
        {{/content}}{{/layout}}
        """

    /// Reloads a live page shortly after the ledger changes (the server's `/live` stream), so what it shows stays
    /// current without a framework.
    static let liveScript = """
        (() => {
          const after = document.body.dataset.live;
          if (after === undefined || !window.EventSource) return;
          const source = new EventSource("/live?after=" + after);
          let timer;
          source.onmessage = () => {
            clearTimeout(timer);
            timer = setTimeout(() => { source.close(); location.reload(); }, 300);
          };
        })();
        """

    static let style = """
        :root { --ink: #1b2430; --muted: #5b6675; --line: #d9dee5; --accent: #0b5cad; --bad: #a4161a; --bg: #f6f7f9; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
          background: var(--bg); }
        .bar { display: flex; align-items: center; gap: 1.5rem; padding: .6rem 1.5rem; background: #102a43; color: #fff; }
        .bar a { color: #fff; text-decoration: none; }
        .brand { font-weight: 700; font-size: 1.1rem; }
        nav { display: flex; gap: 1rem; }
        nav a[aria-current="page"] { border-bottom: 2px solid #9fc5f8; }
        .search input { padding: .35rem .6rem; border-radius: 4px; border: 0; width: 14rem; }
        .signout { margin-left: auto; display: flex; align-items: center; gap: .75rem; }
        .who { color: #c9d6e3; font-size: .9rem; }
        button { font: inherit; padding: .4rem .9rem; border-radius: 4px; border: 1px solid var(--accent);
          background: var(--accent); color: #fff; cursor: pointer; min-height: 2.2rem; }
        .signout button { background: transparent; border-color: #9fc5f8; }
        main { padding: 1rem 1.5rem 3rem; max-width: 1280px; }
        h1 small { color: var(--muted); font-weight: 400; font-size: 1rem; }
        .meta { color: var(--muted); margin-top: -.5rem; }
        .tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(10rem, 1fr)); gap: .75rem; }
        .tile { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .75rem 1rem; }
        .tile .label { display: block; color: var(--muted); font-size: .85rem; }
        a.tile { color: inherit; text-decoration: none; }
        .tile.wide { grid-column: span 2; }
        .tile.hot { border-color: #b3261e; box-shadow: inset 4px 0 0 #b3261e; }
        .shortcuts .button { display: inline-block; padding: .4rem .8rem; border-radius: 4px; background: #1f3a5f;
          color: #fff; text-decoration: none; }
        .tile .figure { display: block; font-size: 1.4rem; font-weight: 600; font-variant-numeric: tabular-nums; }
        table.grid { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid var(--line); }
        .grid th, .grid td { padding: .4rem .6rem; border-bottom: 1px solid var(--line); text-align: left; }
        .grid th { background: #eef1f5; font-weight: 600; font-size: .85rem; }
        .grid td.n { text-align: right; font-variant-numeric: tabular-nums; }
        .flag, .late { color: var(--bad); font-weight: 600; font-size: .85rem; }
        .error { color: var(--bad); }
        .login { max-width: 22rem; margin: 3rem auto; background: #fff; padding: 1.5rem; border: 1px solid var(--line);
          border-radius: 8px; display: grid; gap: .5rem; }
        .login form { display: grid; gap: .5rem; }
        .login input { padding: .5rem; font: inherit; border: 1px solid var(--line); border-radius: 4px; }
        .hidden { position: absolute; left: -10000px; }
        .receive, .filter { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem; margin: 1rem 0; padding: .75rem;
          background: #fff; border: 1px solid var(--line); border-radius: 6px; }
        .receive input, .receive select { padding: .4rem; font: inherit; border: 1px solid var(--line); border-radius: 4px; }
        .chart { margin: 0 0 1rem; background: #fff; border: 1px solid var(--line); padding: .5rem; }
        .chart svg { width: 100%; height: auto; }
        figcaption { color: var(--muted); font-size: .85rem; }
        a { color: var(--accent); }
        @media print { .bar { display: none; } }
        """
}
