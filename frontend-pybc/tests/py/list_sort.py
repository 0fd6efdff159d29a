# list.sort and sorted: default order, key, reverse, stability.
xs = [5, 2, 9, 1, 5, 6, -3, 0]
ys = sorted(xs)
print(xs, ys)
xs.sort()
print(xs)
xs.sort(reverse=True)
print(xs)
words = ['banana', 'Apple', 'cherry', 'date', 'fig', 'Elderberry']
print(sorted(words), sorted(words, key=len), sorted(words, key=lambda w: w.lower()))
print(sorted(words, key=len, reverse=True))
pairs = [('b', 2), ('a', 2), ('c', 1), ('d', 3), ('e', 1)]
print(sorted(pairs, key=lambda p: p[1]))
print(sorted(pairs, key=lambda p: -p[1]))
print(sorted(pairs, reverse=True))
mixed = [3, 1.5, 2, -0.5, 10, 2.0]
mixed.sort()
print(mixed)
print(sorted('sorting'), sorted((3, 1, 2)), sorted({'b': 1, 'a': 2}), sorted(range(5, 0, -1)))
big = [(i * 7919) % 101 for i in range(50)]
big.sort()
print(big)
nested = [[3, 'x'], [1, 'y'], [3, 'a'], [2, 'z']]
nested.sort()
print(nested)
def last(s):
    return s[-1]
print(sorted(['abc', 'xyz', 'mna', 'qrb'], key=last))
print(sorted([2 ** 70, -5, 2 ** 64, 0]), sorted([True, False, 0, 1]))
print(sorted([]), sorted([1]), sorted([[2], [1, 5], [1]]))
