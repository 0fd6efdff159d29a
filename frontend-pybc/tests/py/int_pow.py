# Integer powers: exact big results, negative exponents give floats, three-argument pow.
for b in [-3, -2, -1, 0, 1, 2, 3, 10]:
    print(b, [b ** e for e in range(8)])
print(2 ** 10, 2 ** 62, 2 ** 63, 2 ** 64, 3 ** 40, 7 ** 23)
print((-2) ** 63, (-2) ** 64, (-3) ** 41)
print(2 ** -1, 2 ** -2, 10 ** -3, (-2) ** -3, 4 ** -0.5)
print(0 ** 0, 0 ** 5, 1 ** 1000, (-1) ** 1001)
print(pow(2, 10), pow(2, 100), pow(3, 4, 5), pow(2, 100, 1000000007), pow(-2, 3, 7))
print(pow(7, 0, 13), pow(123456789, 987654321, 1000000007))
print(2.0 ** 10, 2 ** 0.5, 9 ** 0.5, (-8) ** 3, 1.5 ** 2)
print(10 ** 30 // 10 ** 29, (10 ** 30) ** 2)
x = 3
for i in range(6):
    x = x ** 2
    print(i, x % 1000, len(str(x)))
print(2 ** 3 ** 2, (2 ** 3) ** 2, -2 ** 2)
