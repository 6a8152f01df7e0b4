-- Shared by every domain schema: extensions and the updated_at trigger function.
CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA public;

CREATE FUNCTION public.set_updated_at() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION public.set_updated_at() IS 'Keeps updated_at current on every UPDATE';
