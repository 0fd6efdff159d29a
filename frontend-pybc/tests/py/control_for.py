# for loops: break, continue, for-else, nested loops, loop variables after the loop.
for n in range(2, 30):
    for d in range(2, n):
        if n % d == 0:
            break
    else:
        print(n, 'is prime')
for c in 'abcdef':
    if c == 'b':
        continue
    if c == 'e':
        break
    print(c)
else:
    print('not reached')
for x in []:
    print('never')
else:
    print('empty else')
total = 0
for i in range(10):
    if i == 3:
        continue
    for j in range(i):
        if j > 4:
            break
        total += j
print(total, i, j)
results = []
for word in ['one', 'two', 'three']:
    for ch in word:
        if ch in 'aeiou':
            results.append(word + ':' + ch)
            break
print(results)
for k, v in {'a': 1, 'b': 2}.items():
    print(k, v)
for (a, b), c in [((1, 2), 3), ((4, 5), 6)]:
    print(a + b + c)
data = [5, 3, 8, 1]
for i in range(len(data)):
    for j in range(len(data) - 1 - i):
        if data[j] > data[j + 1]:
            data[j], data[j + 1] = data[j + 1], data[j]
print(data)
for i in range(3):
    i = 10
    print(i)
for x in [1, 2, 3]:
    pass
print(x)
