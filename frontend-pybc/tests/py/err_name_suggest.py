# NameError for a misspelt global: CPython 3.11 suggests the close name.
length = 10
width = 4
print(length * width)
print(lenght * width)
