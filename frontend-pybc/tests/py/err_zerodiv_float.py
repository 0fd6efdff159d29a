# ZeroDivisionError from float division.
x = 1.5
for i in range(3):
    x = x / 2.0
    print(x)
y = 0.0
print(x / y)
