# NameError for a name never assigned.
x = 5
print(x)
print(y)
