# The README's two commands: `make demo` and `make test`. Both set up everything themselves.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
FASHION_MNIST_DIR := /usr/share/datasets/fashion-mnist

.PHONY: demo test data

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed

# Fashion-MNIST offline: Debian's package dataset-fashion-mnist (installed when we are root).
data:
	@if [ -f $(FASHION_MNIST_DIR)/train-images-idx3-ubyte.gz ]; then \
		echo "Fashion-MNIST found in $(FASHION_MNIST_DIR)"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist; \
	else \
		echo "Fashion-MNIST is not in $(FASHION_MNIST_DIR): install it with" \
		     "'sudo apt-get install dataset-fashion-mnist', or point DLRECIPES_DATA_DIR at the four" \
		     "IDX .gz files; otherwise tensorflow-datasets downloads it (needs internet)."; \
	fi

demo: $(VENV)/.installed data
	$(BIN)/dlrecipes train lenet5_fashion_mnist

# pytest-xdist: one worker per core (at most 4: each holds a TensorFlow runtime).
test: $(VENV)/.installed-dev data
	$(BIN)/python -m pytest -n auto --maxprocesses 4
