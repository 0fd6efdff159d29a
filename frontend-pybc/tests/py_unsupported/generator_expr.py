# Uses a generator expression, which the engine does not support: it must refuse before printing.
print('this line must not appear')
xs = [1, 2, 3]
total = sum(x * x for x in xs)
print(total)
