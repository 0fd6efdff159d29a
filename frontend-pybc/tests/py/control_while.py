# while loops: break, continue, else, nested loops, conditions of every type.
i = 0
while i < 10:
    i += 1
    if i % 2 == 0:
        continue
    if i > 7:
        break
    print('odd', i)
print('after', i)
n = 5
while n:
    n -= 1
else:
    print('while-else ran, n =', n)
n = 5
while n:
    n -= 1
    if n == 2:
        break
else:
    print('not printed')
print('broke at', n)
x = 27
steps = 0
while x != 1:
    if x % 2 == 0:
        x //= 2
    else:
        x = 3 * x + 1
    steps += 1
print('collatz steps', steps)
a = [3, 1, 4]
while a:
    print('pop', a.pop())
s = 'abc'
while s:
    print(s)
    s = s[1:]
i = 0
found = None
while i < 5:
    j = 0
    while j < 5:
        if i * j == 6:
            found = (i, j)
            break
        j += 1
    if found:
        break
    i += 1
print(found)
f = 10.0
while f > 1:
    f = f / 3
print(f)
count = 0
while True:
    count += 1
    if count >= 100:
        break
print(count)
