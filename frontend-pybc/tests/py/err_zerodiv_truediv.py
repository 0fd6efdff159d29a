# ZeroDivisionError from int true division, after some output.
def ratio(a, b):
    return a / b
for d in [4, 2, 1]:
    print(ratio(8, d))
print(ratio(1, 0))
print('not reached')
