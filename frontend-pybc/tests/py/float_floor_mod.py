# Float floor division and modulo: signs, negative zero and exact results.
for a in [7.5, -7.5, 1.0, -1.0, 0.0, -0.0, 1e300, 0.1]:
    for b in [2.0, -2.0, 0.3, -0.3, 1.0, 1e-300]:
        print(a, b, a // b, a % b, divmod(a, b))
print(5 // 0.5, 5 % 0.5, -5 // 0.5, 7 // 2.5, -7 % 2.5, 7 % -2.5)
print(10 ** 20 // 3.0, 10 ** 20 % 7.0, 3 // 10 ** 20, 2.0 ** 60 % 3)
