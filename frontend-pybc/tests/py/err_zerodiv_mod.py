# ZeroDivisionError from int modulo (CPython 3.11 words it 'integer modulo by zero').
xs = [10, 7, 3]
for x in xs:
    print(x % 4, x % -4)
n = len(xs) - 3
print(xs[0] % n)
