# sum, min, max and sorted over plain ints, floats (signed zeros, NaN) and strings: the
# fast paths must agree with the general ones, ties and stability included.
xs = [(i * 7919) % 101 for i in range(100)]
print(sum(xs), min(xs), max(xs), sorted(xs)[:5], sorted(xs, reverse=True)[:5])
fs = [0.0, -0.0, 1.5, -2.5, 0.0, -0.0, 3]
print(sorted(fs), sorted(fs, reverse=True), min(fs), max(fs), sum(fs), sum(fs, 10))
fl = [0.0, -0.0, 1.5, -2.5, 0.0, -0.0]
print(sorted(fl), sorted(fl, reverse=True), min(fl), max(fl), min([-0.0, 0.0]), max([0.0, -0.0]))
ss = ["b", "a", "é", "ab", "", "B", "ä"]
print(sorted(ss), sorted(ss, reverse=True), min(ss), max(ss))
print(sum([0.1] * 10), sum([1, 2, 0.5, 3]), sum((2**40, 2**40, 2**40)), sum([2**62, 2**62]), sum([], 5), sum([1.5], 1))
nan = float('nan')
print(min([1, nan, 0]), max([nan, 1, 2]), sorted([3, nan, 1]))
print(sorted([True, 2, 1]), max([1, True]), sum([True, True]), min((5,)), sorted(()), sorted([1, 1.0, 0]))
l = [3, 1, 2]
l.sort(reverse=True)
print(l, sorted(range(5), reverse=True))
