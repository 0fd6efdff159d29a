# A global rebound to values of different types in the middle of a hot loop.
scale = 2
def apply(v):
    return v * scale + offset
offset = 1
out = []
for i in range(40):
    if i == 10:
        scale = 0.5
    if i == 20:
        scale = 10 ** 20
    if i == 25:
        offset = -1.25
    if i == 30:
        scale = 3
        offset = 0
    out.append(apply(i))
print(out)
limit = 5
total = 0
i = 0
while i < limit:
    total += i
    i += 1
    if i == 3:
        limit = 8
print(total, i, limit)
glob = 'str'
def describe():
    return glob * 2
res = []
for k in range(6):
    res.append(describe())
    if k == 2:
        glob = 21
    if k == 4:
        glob = [1]
print(res)
