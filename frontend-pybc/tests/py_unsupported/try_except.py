# Uses try/except, which the engine does not support: it must refuse before printing.
print('this line must not appear')
x = 0
try:
    x = 1 // 0
except ZeroDivisionError:
    x = -1
print(x)
