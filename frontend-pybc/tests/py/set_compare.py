# Set comparisons: each operator against sets and frozensets of every relative size.
a = set([1, 2, 3]); b = set([1, 2]); c = frozenset([3, 2, 1]); e = set()
for x in (a, b, c, e):
    print([x <= y for y in (a, b, c, e)], [x < y for y in (a, b, c, e)], [x == y for y in (a, b, c, e)],
          [x != y for y in (a, b, c, e)], [x >= y for y in (a, b, c, e)], [x > y for y in (a, b, c, e)])
