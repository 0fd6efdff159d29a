# TypeError: calling a function with too many arguments.
def one(x):
    return x
print(one(1))
print(one(1, 2))
