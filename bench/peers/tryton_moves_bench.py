"""Tryton stock module as a peer for ledger throughput (SQLite backend).

What it does, in one process, on a database made fresh for the run:
  1. initialise the database with the `stock` module (through `trytond-admin`,
     run from the same venv; the freshly initialised file is kept as a template
     next to the database so later runs copy it instead of re-initialising);
  2. create a company (with its currency) and N goods products;
  3. post stock moves with `stock.move` create + `Move.do()`:
       batched - batches of B moves, one transaction (and one commit) per batch,
                 each batch half supplier->storage receipts, half
                 storage->customer deliveries of goods that are on hand;
       assign  - the same, but deliveries go through `Move.assign_try()` first
                 (the availability check a real pick does), then `do()`;
       single  - one move per transaction (create, do, commit), alternating
                 receipt and delivery;
  4. time `product.product.products_by_location` for all products in the
     warehouse, storage, input, output, supplier and customer locations in one
     call (the on-hand table), and for one product in the warehouse (a point
     look-up), and check storage and warehouse on-hand against what was
     posted, and the number of moves in the ledger against the number posted.

Usage (see README.md beside this file; `run-tryton` makes the venv):
  python tryton_moves_bench.py [--quick] [--json] [--items 1000]
      [--moves 2000,10000] [--batch 500] [--single 500] [--assign 2000]
      [--cost fixed|average|fifo] [--workdir DIR]

Sizes: the default run is --moves 2000,10000 --assign 2000 --single 500
(14,500 moves: about 70 s with cost fixed on an idle 2-core machine, up to
2.5 minutes on a busy one); --quick is --moves 2000 --assign 0 --single 200
(2,200 moves: about 20 s).
A size given explicitly wins over --quick.

Progress goes to stderr. The closing line on stdout reads:
  tryton: X moves/s batched, Y moves/s single, Z ms stock query (...)
where X is the rate of the largest --moves phase and Z the all-products query.
With --json, one more line follows it and is the last line of stdout, a JSON
object: {"peer": "tryton", "version": ..., "cost": ..., "batched_moves_per_s":
X, "single_moves_per_s": Y, "stock_query_ms": Z, "point_query_ms": ...,
"moves": <moves in the ledger>, "check": "ok", ...}.
Exit status 1 if the on-hand check fails (the JSON line is still printed).
"""
import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal

# Sizes of the default run, and of --quick; an explicit option wins over both.
DEFAULT_SIZES = {'moves': '2000,10000', 'assign': 2000, 'single': 500}
QUICK_SIZES = {'moves': '2000', 'assign': 0, 'single': 200}


def log(msg):
    """Progress, on stderr (stdout carries only the closing line and the JSON)."""
    print(msg, file=sys.stderr, flush=True)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--workdir', default=os.path.join(
        tempfile.gettempdir(), 'peers', 'tryton-db'),
        help='folder for the SQLite files (default: $TMPDIR/peers/tryton-db)')
    p.add_argument('--db', default='bench', help='database name (file DB.sqlite)')
    p.add_argument('--items', type=int, default=1000, help='products')
    p.add_argument('--quick', action='store_true',
                   help='small run: --moves %(moves)s --assign %(assign)d '
                        '--single %(single)d' % QUICK_SIZES)
    p.add_argument('--json', action='store_true',
                   help='print the results as one JSON object, the last line of stdout')
    p.add_argument('--moves', default=None,
                   help='comma-separated sizes of the batched phases, run in order '
                        '(default %(moves)s)' % DEFAULT_SIZES)
    p.add_argument('--batch', type=int, default=500, help='moves per transaction')
    p.add_argument('--single', type=int, default=None,
                   help='moves posted one per transaction, 0 to skip '
                        '(default %(single)d)' % DEFAULT_SIZES)
    p.add_argument('--assign', type=int, default=None,
                   help='moves in the batched phase with assign_try, 0 to skip '
                        '(default %(assign)d)' % DEFAULT_SIZES)
    p.add_argument('--cost', default='fixed', choices=['fixed', 'average', 'fifo'],
                   help='cost price method of the products (fifo needs '
                        'trytond-product-cost-fifo)')
    p.add_argument('--queries', type=int, default=10, help='repeats per query')
    p.add_argument('--seed', type=int, default=7)
    p.add_argument('--reinit', action='store_true',
                   help='ignore the template and run trytond-admin again')
    args = p.parse_args()
    sizes = QUICK_SIZES if args.quick else DEFAULT_SIZES
    for key, value in sizes.items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    try:
        args.moves = [int(x) for x in args.moves.split(',') if x.strip()]
    except ValueError:
        p.error('--moves takes comma-separated whole numbers, e.g. 2000,10000')
    if any(m <= 0 for m in args.moves) or args.single < 0 or args.assign < 0:
        p.error('sizes must be positive (0 allowed for --single and --assign)')
    if args.items < 1 or args.batch < 1 or args.queries < 1:
        p.error('--items, --batch and --queries must be at least 1')
    return args


def fresh_database(args):
    """Make WORKDIR/DB.sqlite a freshly initialised database; return seconds spent."""
    os.makedirs(args.workdir, exist_ok=True)
    modules = ['stock'] + (['product_cost_fifo'] if args.cost == 'fifo' else [])
    template = os.path.join(args.workdir, 'template-%s.sqlite' % '-'.join(modules))
    db_file = os.path.join(args.workdir, args.db + '.sqlite')
    for suffix in ('', '-wal', '-shm'):
        if os.path.exists(db_file + suffix):
            os.remove(db_file + suffix)
    t = time.perf_counter()
    if os.path.exists(template) and not args.reinit:
        shutil.copyfile(template, db_file)
        return 'copied template', time.perf_counter() - t
    open(db_file, 'w').close()
    passfile = os.path.join(args.workdir, 'adminpass')
    with open(passfile, 'w') as f:
        f.write('admin\n')
    env = dict(os.environ, TRYTONPASSFILE=passfile)
    admin = os.path.join(os.path.dirname(sys.executable), 'trytond-admin')
    # stdout=stderr: nothing trytond-admin prints may land on our stdout.
    subprocess.run([admin, '-d', args.db, '-u', *modules, '--activate-dependencies',
                    '--email', 'admin@example.test'], env=env, check=True,
                   stdout=sys.stderr)
    for suffix in ('-wal', '-shm'):
        if os.path.exists(db_file + suffix):
            raise SystemExit('unexpected %s left by trytond-admin' % suffix)
    shutil.copyfile(db_file, template)
    return 'trytond-admin -u ' + ' '.join(modules), time.perf_counter() - t


def main():
    args = parse_args()
    started = time.perf_counter()
    os.environ['TRYTOND_DATABASE__URI'] = 'sqlite://'
    os.environ['TRYTOND_DATABASE__PATH'] = args.workdir
    how, init_s = fresh_database(args)
    log(f'init: {how}, {init_s:.1f} s')

    # Imported only now: trytond reads its configuration from the environment.
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    db = args.db
    Pool.start()
    pool = Pool(db)
    pool.init()

    # --- set-up: company, currency, products --------------------------------
    t = time.perf_counter()
    with Transaction().start(db, 0) as tx:
        Currency = pool.get('currency.currency')
        Party = pool.get('party.party')
        Company = pool.get('company.company')
        User = pool.get('res.user')
        cur, = Currency.create([{'name': 'Euro', 'code': 'EUR', 'symbol': '€',
                                 'rounding': Decimal('0.01'), 'digits': 2}])
        party, = Party.create([{'name': 'Bench Motors'}])
        company, = Company.create([{'party': party.id, 'currency': cur.id}])
        admin, = User.search([('login', '=', 'admin')])
        User.write([admin], {'companies': [('add', [company.id])],
                             'company': company.id})
        company_id, currency_id, admin_id = company.id, cur.id, admin.id
        tx.commit()

    ctx = {'company': company_id}
    with Transaction().start(db, admin_id, context=ctx) as tx:
        Template = pool.get('product.template')
        Uom = pool.get('product.uom')
        Location = pool.get('stock.location')
        unit, = Uom.search([('name', '=', 'Unit')])
        unit_id = unit.id
        templates = Template.create([{
            'name': f'Part {i:05d}', 'default_uom': unit_id, 'type': 'goods',
            'list_price': Decimal('30'), 'cost_price_method': args.cost,
            'products': [('create', [{'cost_price': Decimal('8')}])],
        } for i in range(args.items)])
        products = [tpl.products[0].id for tpl in templates]
        loc = {code: Location.search([('code', '=', code)])[0].id
               for code in ('WH', 'STO', 'IN', 'OUT', 'SUP', 'CUS')}
        tx.commit()
    log(f'setup: company + {args.items} products, {time.perf_counter() - t:.1f} s')

    rng = random.Random(args.seed)
    onhand = {p: 0 for p in products}
    instock = []          # products with onhand > 0 (may hold duplicates; checked)

    def receipt_vals(count):
        vals = []
        for _ in range(count):
            p = rng.choice(products)
            q = rng.randint(1, 10)
            onhand[p] += q
            instock.append(p)
            vals.append({'product': p, 'unit': unit_id, 'quantity': float(q),
                         'from_location': loc['SUP'], 'to_location': loc['STO'],
                         'unit_price': Decimal('8.00') + Decimal(rng.randint(0, 400)) / 100,
                         'currency': currency_id, 'company': company_id})
        return vals

    def delivery_vals(count):
        vals = []
        for _ in range(count):
            while True:
                i = rng.randrange(len(instock))
                p = instock[i]
                if onhand[p] >= 1:
                    break
                instock[i] = instock[-1]
                instock.pop()
            onhand[p] -= 1
            vals.append({'product': p, 'unit': unit_id, 'quantity': 1.0,
                         'from_location': loc['STO'], 'to_location': loc['CUS'],
                         'unit_price': Decimal('30'), 'currency': currency_id,
                         'company': company_id})
        return vals

    def batched(total, assign=False):
        Move = pool.get('stock.move')
        t = time.perf_counter()
        done = 0
        while done < total:
            n = min(args.batch, total - done)
            n_in = n // 2 + n % 2
            # assign_try locks stock_move; trytond's dispatcher would retry the
            # transaction with the lock taken at start, so take it up front.
            extras = {'_lock_tables': [Move._table]} if assign else {}
            with Transaction().start(db, admin_id, context=ctx, **extras) as tx:
                moves = Move.create(receipt_vals(n_in))
                Move.do(moves)
                moves = Move.create(delivery_vals(n - n_in))
                if assign and not Move.assign_try(moves):
                    raise SystemExit('assign_try could not assign every delivery')
                Move.do(moves)
                tx.commit()
            done += n
        return total / (time.perf_counter() - t)

    def single(total):
        Move = pool.get('stock.move')
        t = time.perf_counter()
        for i in range(total):
            with Transaction().start(db, admin_id, context=ctx) as tx:
                vals = receipt_vals(1) if i % 2 == 0 else delivery_vals(1)
                Move.do(Move.create(vals))
                tx.commit()
        return total / (time.perf_counter() - t)

    rates = {}
    for m in args.moves:
        rates[m] = batched(m)
        log(f'batched: {m} moves in batches of {args.batch}: {rates[m]:.0f} moves/s')
    assign_rate = None
    if args.assign:
        assign_rate = batched(args.assign, assign=True)
        log(f'batched+assign_try: {args.assign} moves: {assign_rate:.0f} moves/s')
    single_rate = None
    if args.single:
        single_rate = single(args.single)
        log(f'single: {args.single} moves, one transaction each: '
            f'{single_rate:.0f} moves/s')

    # --- queries ------------------------------------------------------------
    with Transaction().start(db, admin_id, context=ctx, readonly=True) as tx:
        Product = pool.get('product.product')
        Move = pool.get('stock.move')
        ledger = Move.search([], count=True)
        all_locs = [loc[c] for c in ('WH', 'STO', 'IN', 'OUT', 'SUP', 'CUS')]
        times, result = [], None
        for _ in range(args.queries):
            t = time.perf_counter()
            result = Product.products_by_location(all_locs, with_childs=True)
            times.append((time.perf_counter() - t) * 1000)
        table_ms = statistics.median(times)
        sample = products[len(products) // 2]
        ptimes = []
        for _ in range(args.queries):
            t = time.perf_counter()
            Product.products_by_location([loc['WH']], with_childs=True,
                                         grouping_filter=([sample],))
            ptimes.append((time.perf_counter() - t) * 1000)
        point_ms = statistics.median(ptimes)
    wrong = [p for p in products
             if abs(result.get((loc['STO'], p), 0) - onhand[p]) > 1e-9
             or abs(result.get((loc['WH'], p), 0) - onhand[p]) > 1e-9]
    problems = [f'{len(wrong)} products differ'] if wrong else []
    posted = sum(args.moves) + args.assign + args.single
    if ledger != posted:
        problems.append(f'ledger holds {ledger} moves, {posted} were posted')
    log(f'query: on-hand of all {args.items} products in 6 locations '
        f'({len(result)} location/product keys) over {ledger} moves: '
        f'{table_ms:.1f} ms median of {args.queries}; one product in the '
        f'warehouse: {point_ms:.1f} ms; storage on-hand check: '
        f'{"ok" if not problems else "; ".join(problems)}')

    big = max(rates) if rates else None
    b = f'{rates[big]:.0f}' if big else 'n/a'
    s = f'{single_rate:.0f}' if single_rate else 'n/a'
    extra = ', '.join(f'{m}: {r:.0f}/s' for m, r in rates.items())
    if assign_rate:
        extra += f', with assign_try: {assign_rate:.0f}/s'
    print(f'tryton: {b} moves/s batched, {s} moves/s single, {table_ms:.1f} ms stock query '
          f'({args.items} items, cost {args.cost}, batch {args.batch}; {extra}; '
          f'point query {point_ms:.1f} ms; ledger {ledger} moves; SQLite)')
    if args.json:
        from importlib.metadata import version

        def r(x, digits=1):
            return None if x is None else round(x, digits)
        print(json.dumps({
            'peer': 'tryton',
            'version': version('trytond'),
            'cost': args.cost,
            'batched_moves_per_s': r(rates[big]) if big else None,
            'single_moves_per_s': r(single_rate),
            'stock_query_ms': r(table_ms, 2),
            'point_query_ms': r(point_ms, 2),
            'moves': ledger,
            'check': 'ok' if not problems else '; '.join(problems),
            'assign_moves_per_s': r(assign_rate),
            'batched_phases': {str(m): r(x) for m, x in rates.items()},
            'items': args.items,
            'batch': args.batch,
            'single_moves': args.single,
            'stock_version': version('trytond-stock'),
            'backend': 'sqlite',
            'elapsed_s': r(time.perf_counter() - started),
        }), flush=True)
    if problems:
        sys.exit(1)


if __name__ == '__main__':
    main()
