# iter() and next(): explicit iteration, defaults, exhausted iterators.
it = iter([1, 2, 3])
print(next(it), next(it), next(it), next(it, 'done'), next(it, None))
s = iter('ab')
print(next(s), next(s), next(s, '-'))
r = iter(range(3))
print(list(r), list(r))
d = {'x': 1, 'y': 2}
k = iter(d)
print(next(k), next(k), next(k, 'end'))
t = iter((5, 6))
first = next(t)
rest = list(t)
print(first, rest)
it = iter([10, 20, 30, 40, 50])
for v in it:
    print('loop', v)
    if v == 20:
        print('skip', next(it))
print(next(it, 'exhausted'))
pairs = iter([1, 2, 3, 4, 5, 6])
out = []
for a in pairs:
    b = next(pairs)
    out.append(a * b)
print(out)
words = iter('one two three'.split())
print(' '.join(list(words)))
rv = reversed([1, 2, 3])
print(next(rv), list(rv))
e = iter(enumerate('ab'))
print(next(e), next(e), next(e, 0))
it2 = iter(it)
print(it2 is it)
