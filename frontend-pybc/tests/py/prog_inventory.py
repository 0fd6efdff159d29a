# A small inventory report: records in dicts, grouping, sorting by several keys, totals and
# aligned columns with % and f-string formatting.
records = [
    {'sku': 'A-100', 'name': 'widget', 'cat': 'tools', 'qty': 12, 'price': 2.5},
    {'sku': 'B-200', 'name': 'gadget', 'cat': 'toys', 'qty': 0, 'price': 19.99},
    {'sku': 'A-101', 'name': 'sprocket', 'cat': 'tools', 'qty': 250, 'price': 0.35},
    {'sku': 'C-300', 'name': 'doohickey', 'cat': 'misc', 'qty': 7, 'price': 105.0},
    {'sku': 'B-201', 'name': 'whatsit', 'cat': 'toys', 'qty': 33, 'price': 4.75},
    {'sku': 'A-102', 'name': 'gizmo', 'cat': 'tools', 'qty': 12, 'price': 12.0},
]
by_cat = {}
for r in records:
    by_cat.setdefault(r['cat'], []).append(r)
for cat in sorted(by_cat):
    items = sorted(by_cat[cat], key=lambda r: (-r['qty'], r['name']))
    total = sum([r['qty'] * r['price'] for r in items])
    print(f"== {cat.upper():<6} ({len(items)} items, value {total:,.2f})")
    for r in items:
        flag = 'OUT' if r['qty'] == 0 else ('low' if r['qty'] < 10 else '')
        print('  %-6s %-10s %5d x %8.2f = %10.2f %s' % (r['sku'], r['name'], r['qty'], r['price'], r['qty'] * r['price'], flag))
grand = 0.0
for r in records:
    grand += r['qty'] * r['price']
print(f'grand total: {grand:>12.3f}')
print('most valuable:', max(records, key=lambda r: r['qty'] * r['price'])['name'])
print('cheapest:', min(records, key=lambda r: r['price'])['sku'])
restock = [r['sku'] for r in records if r['qty'] < 10]
print('restock:', ', '.join(restock) if restock else 'none')
counts = {}
for r in records:
    prefix = r['sku'].split('-')[0]
    counts[prefix] = counts.get(prefix, 0) + r['qty']
print(counts, sorted(counts.items(), key=lambda kv: kv[1], reverse=True))
