# Float arithmetic, true division, and mixing ints with floats.
a = 7.5
b = 2.0
print(a + b, a - b, a * b, a / b, a // b, a % b, a ** b)
print(-a // b, -a % b, a // -b, a % -b, divmod(a, b), divmod(-a, b))
print(7 / 2, -7 / 2, 7 / -2, 1 / 3, 10 / 5, 0 / 5, 2 ** 70 / 2 ** 69)
print(7 / 2.0, 7.0 / 2, 3 * 0.1, 0.1 * 3, 1 + 0.5, 0.5 + 1, 3 - 0.25)
print(5 % 2.5, 5.5 % 2, -5.5 % 2, 5.5 // 2, -5.5 // 2, 1e308 * 10, -1e308 * 10)
print(10 ** 20 / 3, 10 ** 30 * 1.0, 2 ** 64 + 0.5, 1.0 * (2 ** 64 - 1))
print(int(7.9), int(-7.9), float(7), float(-7), int(2.0 ** 62), int(2.0 ** 64))
total = 0.0
for i in range(1, 101):
    total += 1.0 / i
print(total)
x = 0
for i in range(10):
    x = x + 0.1
print(x, x == 1.0, abs(x - 1.0) < 1e-9)
print(1.0 == 1, 2 == 2.0, 0.5 < 1, 1 < 1.5, 2 ** 53 == 2.0 ** 53, 2 ** 53 + 1 == 2.0 ** 53)
print(3.0 * 2, 6 / 3)
mean = 0.0
vals = [3, 1.5, 4, 1, 5.25, 9, 2, 6]
for v in vals:
    mean += v
mean /= len(vals)
print(mean)
var = 0.0
for v in vals:
    var += (v - mean) * (v - mean)
print(var / len(vals))
print(0.1 + 0.2 == 0.3, 0.1 + 0.2 - 0.3, 1e-16 + 1.0, 1.0 - 1e-16)
h = 0.5
h -= 0.25
h *= 8
h /= 3
h **= 2
print(h)
print(-0.0 + 0.0, 0.0 * -1, -0.0 * -0.0, 0.0 - 0.0, -0.0 - 0.0)
