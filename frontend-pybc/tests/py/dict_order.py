# Dict iteration order is insertion order, through deletions and re-insertions.
d = {}
for k in [5, 3, 9, 1, 7]:
    d[k] = k * k
print(d, list(d), list(d.values()))
del d[3]
d[3] = 'back'
print(d)
d[5] = 'updated in place'
print(list(d.items()))
for i in range(20):
    d['k' + str(i)] = i
for i in range(0, 20, 2):
    del d['k' + str(i)]
print(d)
print(len(d), list(d.keys())[:5], list(reversed(list(d.keys())))[:3])
big = {}
for i in range(1000):
    big[i * 7 % 1000] = i
print(len(big), list(big)[:10], big[0], big[7], big[999])
for i in range(0, 1000, 3):
    del big[i]
print(len(big), list(big)[:10])
keys = []
for k in big:
    if k > 990:
        keys.append(k)
print(keys)
s = 0
for k, v in big.items():
    s += k * v
print(s)
print(sum(big.values()), max(big), min(big.values()))
strs = {}
for w in ['pear', 'apple', 'fig', 'apple', 'kiwi', 'pear']:
    strs[w] = len(w)
print(strs, sorted(strs), sorted(strs.items(), key=lambda kv: kv[1]))
print(list(reversed(strs)))
