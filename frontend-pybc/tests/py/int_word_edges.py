# Results that cross the machine-word boundary in both directions, in a hot loop too.
M = 9223372036854775807
m = -9223372036854775808
print(M, m, M + 1, m - 1, M + 1 - 1, m - 1 + 1)
print(type(M + 1 - 1), M + 1 - 1 == M)
print(M * 2 // 2 == M, m * -1, m // -1, -m)
print(M - m, m - M, m + M)
print(2 ** 47, 2 ** 47 - 1, -2 ** 47, -2 ** 47 - 1, 2 ** 48, 140737488355328 + 140737488355328)
x = 1
steps = 0
while x < 10 ** 25:
    x = x * 3 + 1
    steps += 1
print(steps, x)
while x > 1:
    x = x // 7
print(x)
acc = 0
for i in range(200):
    acc = acc + 9000000000000000000
    acc = acc - 8999999999999999999
print(acc)
v = M
for i in range(5):
    v = v + 1
    print(v, v - M)
v = m
for i in range(5):
    v = v - 1
    print(v, v - m)
w = 3037000499
print(w * w, (w + 1) * (w + 1), -w * (w + 2))
print(abs(m), abs(m) - 1 == M, -(m + 1) == M)
print(m % 3, m // 3, M % -3, M // -3)
print(M << 1, m << 1, M >> 62, m >> 63)
print(M & m, M | m, M ^ m, ~M, ~m)
