# Functions that collect extra arguments with *args and **kwargs in their definitions.
def total(*nums):
    s = 0
    for n in nums:
        s += n
    return s
print(total(), total(1), total(1, 2, 3), total(1.5, 2 ** 70))
def head(first, *rest):
    return first, rest, len(rest)
print(head(1), head(1, 2), head('a', 'b', 'c'))
def opts(name, **kw):
    keys = sorted(kw)
    return name + ':' + ','.join([k + '=' + str(kw[k]) for k in keys])
print(opts('x'), opts('y', b=2, a=1), opts(name='z', c=[3]))
def both(a, b=2, *args, **kwargs):
    return a, b, args, kwargs
print(both(1), both(1, 3), both(1, 3, 4, 5), both(1, x=9), both(1, 2, 3, y=0, z=1))
def count_calls(*args, **kwargs):
    return len(args) + len(kwargs)
n = 0
for i in range(50):
    n += count_calls(i, i, k=i)
print(n)
