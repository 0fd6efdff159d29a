# Small-int arithmetic: + - * // % with every sign combination, unary ops, augmented assignment.
a = 17
b = 5
print(a + b, a - b, a * b, a // b, a % b)
print(-a + b, -a - b, -a * b, -a // b, -a % b)
print(a // -b, a % -b, -a // -b, -a % -b)
print(0 // 5, 0 % 5, 0 // -5, 0 % -5)
for x in [-7, -6, -1, 0, 1, 6, 7]:
    for y in [-3, -2, -1, 1, 2, 3]:
        print(x, y, x // y, x % y, divmod(x, y))
print(-(-5), +5, -0, abs(-12), abs(12))
n = 10
n += 3
print(n)
n -= 20
print(n)
n *= -4
print(n)
n //= 3
print(n)
n %= 7
print(n)
n **= 3
print(n)
print(2 + 3 * 4 - 10 // 3 % 2)
print((2 + 3) * (4 - 10) // 3)
total = 0
i = 0
while i < 100:
    total += i * i - 3 * i + 7
    i += 1
print(total)
print(7 // 7, 7 % 7, 1 // 7, 6 % 7)
print(100 - 101, 3 - 3, -3 * 0)
