# range: arguments, negative steps, len, indexing, membership, iteration.
print(list(range(5)), list(range(2, 8)), list(range(0, 20, 3)), list(range(10, 0, -2)))
print(list(range(0)), list(range(5, 2)), list(range(-5, -1)), list(range(3, -4, -1)))
r = range(1, 20, 4)
print(r, len(r), r[0], r[-1], r[2], 9 in r, 10 in r, list(r), range(5), range(1, 2, 3))
print(len(range(0, 100, 7)), len(range(100, 0, -7)), len(range(5, 5)), range(10)[2:8:2])
total = 0
for i in range(1, 101):
    total += i
print(total)
for i in range(3):
    for j in range(i, 3):
        print(i, j, end='; ')
print()
print(sum(range(1000)), max(range(7)), min(range(3, 9)), sorted(range(4, 0, -1)))
big = range(2 ** 40, 2 ** 40 + 5)
print(list(big), len(big))
n = 5
acc = []
for i in range(n):
    n = 2
    acc.append(i)
print(acc)
for i in range(3):
    pass
print(i)
print(list(range(-3, 3)), range(0, 10, 2) == range(0, 10, 2), list(reversed(range(4))))
