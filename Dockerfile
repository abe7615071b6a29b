FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=poverty.settings.production
WORKDIR /app
COPY pyproject.toml ./
COPY . .
RUN pip install --no-cache-dir . \
 && SECRET_KEY=build-only PII_KEY=build-only ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput
RUN useradd --system --home /app app && mkdir -p /app/media /app/var && chown -R app /app/media /app/var
USER app
EXPOSE 8000
CMD ["gunicorn", "poverty.wsgi", "-c", "gunicorn.conf.py"]
